// The section picker offers the sections of the publication chosen above it, and follows
// that choice: a section of another masthead is never offered (the server refuses one too).
"use strict";
(function () {
  function follow(picker) {
    var publication = document.getElementById(picker.dataset.sectionPicker);
    if (!publication) return;
    function update() {
      var chosen = publication.value;
      Array.prototype.forEach.call(picker.options, function (option) {
        var mine = !option.value || option.dataset.publication === chosen;
        option.hidden = option.disabled = !mine;
      });
      if (picker.selectedOptions.length && picker.selectedOptions[0].disabled) picker.value = "";
    }
    publication.addEventListener("change", update);
    update();
  }
  function start() {
    document.querySelectorAll("select[data-section-picker]").forEach(follow);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
