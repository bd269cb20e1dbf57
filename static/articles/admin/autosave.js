// Nothing typed is lost: the story's form is sent to the server a few seconds after each
// change and as the page is left, offered back when the story is opened again, and
// leaving with unsaved changes asks first. Loaded before the body editor is ready, so it
// hears the editor's "prose-editor:ready" event.
(function () {
  "use strict";
  var root = document.querySelector("[data-autosave-url]");
  if (!root) return;
  var url = root.getAttribute("data-autosave-url");
  var DELAY = 3000;
  var SKIP = { csrfmiddlewaretoken: 1, loaded_version: 1, _workflow: 1 };
  var editors = [];  // [textarea, editor] pairs of the rich-text fields
  var form, csrf, timer = null, changed = false, unsent = false, submitting = false;

  document.addEventListener("prose-editor:ready", function (event) {
    editors.push([event.detail.textarea, event.detail.editor]);
  });

  function pairs() {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") out.push([name, value]);
    });
    return out;
  }

  function body(extra) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    Object.keys(extra).forEach(function (k) { data.append(k, extra[k]); });
    return data;
  }

  function status(text) { root.querySelector(".autosave-status").textContent = text; }

  function send() {
    clearTimeout(timer);
    if (!unsent || submitting) return;
    unsent = false;
    fetch(url, { method: "POST", body: body({ data: JSON.stringify(pairs()) }),
                 credentials: "same-origin", keepalive: true })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        var now = new Date();
        status("Unsaved changes kept as a draft at " + now.toTimeString().slice(0, 5) +
               ". Save to keep them in the story.");
      })
      .catch(function () { unsent = true; status("Could not keep a draft of your changes."); });
  }

  function onChange() {
    changed = unsent = true;
    clearTimeout(timer);
    timer = setTimeout(send, DELAY);
  }

  function restore(data) {
    var values = {};
    data.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Object.keys(values).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      fields.forEach(function (field, i) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values[name].indexOf(field.value) !== -1;
        } else if (field.tagName === "SELECT" && field.multiple) {
          Array.prototype.forEach.call(field.options, function (o) {
            o.selected = values[name].indexOf(o.value) !== -1;
          });
        } else if (field.type !== "file" && i < values[name].length) {
          field.value = values[name][i];
        }
      });
    });
    editors.forEach(function (pair) { pair[1].commands.setContent(pair[0].value, true); });
    onChange();
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = root.closest("form");
    csrf = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", function () { submitting = true; clearTimeout(timer); });
    var offer = root.querySelector(".autosave-offer");
    if (offer) {
      var saved = JSON.parse(document.getElementById("autosave-data").textContent);
      offer.querySelector(".autosave-restore").addEventListener("click", function () {
        restore(saved);
        offer.remove();
        status("Your unsaved changes are back in the form. Save to keep them.");
      });
      offer.querySelector(".autosave-discard").addEventListener("click", function () {
        fetch(url, { method: "POST", body: body({ discard: "1" }), credentials: "same-origin" });
        offer.remove();
      });
    }
  });

  // Leaving: send what is not sent yet, and ask before unsaved changes go.
  function leaving() { if (!submitting && unsent) {
    unsent = false;
    navigator.sendBeacon(url, body({ data: JSON.stringify(pairs()) }));
  } }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leaving();
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
})();
