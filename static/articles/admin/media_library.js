/* The picture library's grid (articles/admin/media_library.py): uploads dropped onto the
   page, one request per file with its own progress bar and its own error; alt text,
   caption and credit saved in place as each field is left; a click on a picture moves its
   focal point. Every request carries the CSRF token; the server checks permissions. */
(function () {
  "use strict";

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function firstError(payload, fallback) {
    if (payload && payload.error) return payload.error;
    if (payload && payload.errors) {
      const messages = Object.values(payload.errors).flat();
      if (messages.length) return messages.join(" ");
    }
    return fallback;
  }

  /* Put a picture's current state into its tile (after an upload or an edit). */
  function fillTile(tile, image) {
    tile.dataset.imageId = image.id;
    tile.dataset.editUrl = image.edit_url || "";
    tile.classList.toggle("missing-alt", image.missing_alt_text);
    const img = tile.querySelector(".library-picture img");
    img.src = image.thumbnail;
    if (image.srcset) img.srcset = image.srcset; else img.removeAttribute("srcset");
    img.alt = image.alt_text;
    img.width = image.width;
    img.height = image.height;
    const focal = tile.querySelector(".library-focal");
    focal.style.left = image.focal_x * 100 + "%";
    focal.style.top = image.focal_y * 100 + "%";
    tile.querySelector(".library-open").href = image.change_url;
    tile.querySelector(".library-size").textContent = image.width + " × " + image.height;
    const select = tile.querySelector(".action-select");
    if (select) select.value = image.id;
    tile.querySelectorAll("[data-field]").forEach(function (field) {
      if (document.activeElement !== field) field.value = image[field.dataset.field] || "";
    });
  }

  function setStatus(tile, text, isError) {
    const status = tile.querySelector(".library-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("errornote", Boolean(isError));
  }

  function saveFields(tile, fields) {
    const url = tile.dataset.editUrl;
    if (!url) return Promise.resolve();
    const body = new FormData();
    Object.entries(fields).forEach(function ([name, value]) { body.append(name, value); });
    setStatus(tile, "Saving…");
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"},
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        if (!response.ok) throw new Error(firstError(payload, "Not saved (" + response.status + ")."));
        fillTile(tile, payload.image);
        setStatus(tile, "Saved.");
      });
    }).catch(function (error) {
      setStatus(tile, error.message || "Not saved: the server could not be reached.", true);
    });
  }

  function wireTile(tile) {
    if (!tile.dataset.editUrl) {
      tile.querySelectorAll("label:has([data-field]), .library-status").forEach(function (el) { el.remove(); });
      return;
    }
    tile.querySelectorAll("[data-field]").forEach(function (field) {
      field.dataset.saved = field.value;
      field.addEventListener("change", function () {
        if (field.value === field.dataset.saved) return;
        const value = field.value;
        saveFields(tile, {[field.dataset.field]: value}).then(function () {
          field.dataset.saved = value;
        });
      });
    });
    const picture = tile.querySelector(".library-picture");
    const focal = picture.querySelector(".library-focal");
    picture.classList.add("focal-editable");
    // The focal point from the keyboard too: arrow keys move it, saved once they rest.
    picture.tabIndex = 0;
    picture.setAttribute("aria-label", "Focal point: click on the picture, or move it with the arrow keys");
    const moveFocal = function (x, y) {
      focal.style.left = x * 100 + "%";
      focal.style.top = y * 100 + "%";
      return saveFields(tile, {focal_x: x.toFixed(3), focal_y: y.toFixed(3)});
    };
    picture.addEventListener("click", function (event) {
      const box = picture.querySelector("img").getBoundingClientRect();
      moveFocal(Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1),
                Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1));
    });
    let resting = null;
    picture.addEventListener("keydown", function (event) {
      const step = {ArrowLeft: [-0.05, 0], ArrowRight: [0.05, 0], ArrowUp: [0, -0.05], ArrowDown: [0, 0.05]}[event.key];
      if (!step) return;
      event.preventDefault();
      const x = Math.min(Math.max(parseFloat(focal.style.left) / 100 + step[0], 0), 1);
      const y = Math.min(Math.max(parseFloat(focal.style.top) / 100 + step[1], 0), 1);
      focal.style.left = x * 100 + "%";
      focal.style.top = y * 100 + "%";
      clearTimeout(resting);
      resting = setTimeout(function () { moveFocal(x, y); }, 400);
    });
  }

  /* --- Uploads ---------------------------------------------------------------------- */

  let queue = Promise.resolve();

  function newTile(image) {
    const template = document.getElementById("library-tile-template");
    const tile = template.content.firstElementChild.cloneNode(true);
    fillTile(tile, image);
    tile.querySelector(".library-status") && setStatus(tile, "Added: now write its alt text.");
    return tile;
  }

  /* A row with the file's name, its progress bar and what became of it. */
  function uploadRow(file, zone) {
    const row = document.createElement("li");
    const name = document.createElement("span");
    name.className = "library-upload-name";
    name.textContent = file.name;
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", "Uploading " + file.name);
    const status = document.createElement("span");
    status.className = "library-upload-status";
    status.textContent = "Waiting…";
    row.append(name, progress, status);
    zone.querySelector(".library-uploads").append(row);
    return row;
  }

  /* Send one file; resolves when the server has answered, whatever it said. */
  function send(file, row, zone, grid) {
    const progress = row.querySelector("progress");
    const status = row.querySelector(".library-upload-status");
    return new Promise(function (done) {
      const body = new FormData();
      body.append("file", file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", zone.dataset.uploadUrl);
      request.setRequestHeader("X-CSRFToken", csrfToken());
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        progress.value = Math.round(event.loaded / event.total * 100);
        status.textContent = progress.value + "%";
      });
      request.addEventListener("load", function () {
        let payload = {};
        try { payload = JSON.parse(request.responseText); } catch (error) { payload = {}; }
        if (request.status === 201) {
          progress.value = 100;
          row.classList.add("done");
          status.textContent = "Added.";
          grid.querySelector(".library-empty")?.remove();
          const tile = newTile(payload.image);
          grid.prepend(tile);
          wireTile(tile);
        } else {
          row.classList.add("failed");
          status.textContent = file.name + ": " + firstError(
            payload, request.status === 413 ? "This file is too large to upload."
              : "Not added (the server answered " + request.status + ").");
        }
      });
      request.addEventListener("error", function () {
        row.classList.add("failed");
        status.textContent = file.name + ": not added, the server could not be reached.";
      });
      request.addEventListener("loadend", done);
      status.textContent = "0%";
      request.send(body);
    });
  }

  /* Every dropped file gets its row at once, then they go one at a time: each is
     re-encoded with its renditions as it arrives, work a small server should not do for
     ten files at once. A refused file does not stop the ones after it. */
  function upload(file, zone, grid) {
    const row = uploadRow(file, zone);
    queue = queue.then(function () { return send(file, row, zone, grid); });
  }

  function wireDropzone(zone, grid) {
    const addAll = function (files) {
      Array.from(files).forEach(function (file) { upload(file, zone, grid); });
    };
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) addAll(event.dataTransfer.files);
    });
    const input = zone.querySelector("input[type=file]");
    input.addEventListener("change", function () {
      addAll(input.files);
      input.value = "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const grid = document.getElementById("library-grid");
    if (!grid) return;
    grid.querySelectorAll(".library-tile").forEach(wireTile);
    const zone = document.querySelector(".library-dropzone");
    if (zone) wireDropzone(zone, grid);
  });
})();
