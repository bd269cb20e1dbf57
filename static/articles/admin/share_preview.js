// The search and social preview follows the form: a moment after each change it asks the
// server for the card (articles/admin/share_preview.py runs the page's own metadata rules
// on the values as typed, nothing saved) and shows it.
"use strict";
(function () {
  var FIELDS = ["headline", "seo_title", "seo_description", "summary", "slug", "canonical_url",
                "body", "publication", "lead_image"];
  var WAIT_MS = 400;

  function start() {
    var preview = document.getElementById("share-preview");
    var form = preview && preview.closest("form");
    if (!form) return;
    var timer = null, asked = 0;

    function show(card) {
      var host = "";
      try { host = new URL(card.url).host; } catch (error) { host = ""; }
      preview.querySelectorAll(".share-title").forEach(function (e) { e.textContent = card.title; });
      preview.querySelectorAll(".share-description").forEach(function (e) { e.textContent = card.description; });
      preview.querySelector(".share-site").textContent = card.site_name;
      preview.querySelector(".share-url").textContent = card.url;
      preview.querySelector(".share-host").textContent = host;
      var frame = preview.querySelector(".social-card-image");
      var img = frame.querySelector("img");
      if (card.image) {
        img.src = card.image.url;
        img.alt = card.image.alt;
        img.style.objectPosition = (card.image.focal_x * 100) + "% " + (card.image.focal_y * 100) + "%";
        frame.hidden = false;
      } else {
        frame.hidden = true;
      }
    }

    function ask() {
      var data = new FormData();
      FIELDS.forEach(function (name) {
        var field = form.elements[name];
        if (field && typeof field.value === "string") data.append(name, field.value);
      });
      var token = form.elements.csrfmiddlewaretoken;
      var mine = ++asked;
      fetch(preview.dataset.sharePreviewUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (card) {
        if (card && mine === asked) { show(card); preview.dataset.updated = String(mine); }
      }).catch(function () { /* the last card stays; the next change asks again */ });
    }

    function soon(event) {
      if (event && event.target && FIELDS.indexOf(event.target.name) < 0) return;
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    }
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    ask();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
