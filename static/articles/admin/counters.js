// Length counters for headline, dek, summary and SEO fields: "42 / 200 characters".
"use strict";
(function () {
  const FIELDS = ["id_headline", "id_dek", "id_summary", "id_seo_title", "id_seo_description"];

  function attach(input) {
    const max = parseInt(input.getAttribute("maxlength"), 10);
    if (!max) return;
    const counter = document.createElement("div");
    counter.className = "help length-counter";
    counter.setAttribute("aria-live", "polite");
    counter.id = input.id + "-counter";
    input.setAttribute("aria-describedby",
      ((input.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    const update = function () {
      const n = input.value.length;
      counter.textContent = n + " / " + max + " characters";
      counter.style.color = n > max * 0.9 ? "#ba2121" : "";
    };
    input.insertAdjacentElement("afterend", counter);
    input.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    FIELDS.forEach(function (id) {
      const input = document.getElementById(id);
      if (input) attach(input);
    });
  });
})();
