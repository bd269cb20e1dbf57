// "Before it can be published, this story needs: a summary, a section…": each link in the
// Workflow panel takes the editor to that field with the cursor in it. A plain #id_summary
// link only scrolls, and misses fields drawn by a widget (the body's editor, the section's
// autocomplete) or folded away in a collapsed group.
"use strict";
(function () {
  function focusable(target) {
    if (target.id === "bylines-group") {
      // The first byline's person, else "Add another Byline".
      return target.querySelector(".select2-selection, select:not([disabled])")
        || target.querySelector(".add-row a");
    }
    var row = target.closest(".form-row") || target.parentElement;
    var editor = row && row.querySelector("[contenteditable=true]");
    if (editor) return editor;
    if (target.offsetParent === null && row) {
      // Hidden behind a widget: the autocomplete's box or the widget's own input.
      return row.querySelector(".select2-selection, input:not([type=hidden]), textarea, select")
        || target;
    }
    return target;
  }

  function go(hash) {
    var target = hash && hash.length > 1 && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return false;
    var folded = target.closest("details");
    if (folded) folded.open = true;
    var field = focusable(target);
    if (!field) return false;
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".workflow-missing a");
    if (!link || link.pathname !== window.location.pathname || !link.hash) return;
    if (go(link.hash)) {
      event.preventDefault();
      history.replaceState(null, "", link.hash);
    }
  });
  // Arriving from a link elsewhere (a transition's page lists what is missing too).
  window.addEventListener("load", function () { go(window.location.hash); });
})();
