// Suggests existing tags for the word being typed in taggit's comma-separated input.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var url = list.getAttribute("data-tag-suggestions");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var parts = input.value.split(",");
        var term = parts.pop().trim();
        var prefix = parts.map(function (p) { return p.trim(); }).filter(Boolean);
        if (term.length < 2) { list.replaceChildren(); return; }
        fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (name) {
              var option = document.createElement("option");
              option.value = prefix.concat([name.indexOf(" ") >= 0 ? '"' + name + '"' : name]).join(", ");
              return option;
            }));
          });
      }, 200);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[list$='-suggestions']").forEach(attach);
  });
})();
