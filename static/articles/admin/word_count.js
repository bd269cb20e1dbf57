// Live word count and reading time under the story's body: "312 words · 2 min read".
"use strict";
(function () {
  var WORDS_PER_MINUTE = 230;

  function words(html) {
    var text = new DOMParser().parseFromString(html, "text/html").body.textContent || "";
    var found = text.trim().match(/\S+/g);
    return found ? found.length : 0;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("id_body");
    if (!body) return;
    var counter = document.createElement("div");
    counter.className = "help word-count";
    counter.id = "id_body-word-count";
    counter.setAttribute("aria-live", "polite");
    (body.closest(".form-row") || body.parentNode).appendChild(counter);
    function update() {
      var n = words(body.value);
      var minutes = Math.max(1, Math.round(n / WORDS_PER_MINUTE));
      counter.textContent = n + (n === 1 ? " word" : " words") + " · " + minutes + " min read";
    }
    body.addEventListener("input", update);  // the body editor fires it on every change
    update();
  });
})();
