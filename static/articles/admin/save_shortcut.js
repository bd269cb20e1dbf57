// Ctrl+S (Cmd+S on a Mac) saves the story and keeps it open ("Save and continue editing").
"use strict";
document.addEventListener("keydown", function (event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== "s") return;
  var button = document.querySelector("input[name=_continue], button[name=_continue]");
  if (!button) return;
  event.preventDefault();
  button.click();
});
