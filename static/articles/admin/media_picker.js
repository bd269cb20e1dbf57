/* Choosing a picture from the library in the story form (articles/admin/picture_picker.py):
   a dialog with the library's grid and a search box, opened by the lead picture's
   "Choose from the library" and by the body editor's "Insert a picture from the library".
   A body picture goes in as a figure whose <img> refers to the picture by id, with its
   caption and credit; the public page serves it through the renditions with srcset. */
(function () {
  "use strict";

  const editors = new Map();  // textarea id -> the body's editor (django-prose-editor)
  document.addEventListener("prose-editor:ready", function (event) {
    editors.set(event.detail.textarea.id, event.detail.editor);
  });

  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML.replace(/"/g, "&quot;");
  }

  /* --- The dialog ------------------------------------------------------------------- */

  let dialog = null;
  let state = {url: "", page: 1, onChoose: null};

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "picture-picker";
    dialog.setAttribute("aria-labelledby", "picture-picker-title");
    dialog.innerHTML =
      '<header><h2 id="picture-picker-title">Choose a picture</h2>' +
      '<input type="search" placeholder="Search caption, credit, alt text, tags" aria-label="Search the library">' +
      '<button type="button" class="button" data-close>Cancel</button></header>' +
      '<p class="picture-picker-count" aria-live="polite"></p>' +
      '<ul class="library-grid"></ul>' +
      '<footer><button type="button" class="button" data-previous>Previous</button>' +
      '<span class="picture-picker-page"></span>' +
      '<button type="button" class="button" data-next>Next</button>' +
      '<a href="" class="picture-picker-library" target="_blank" rel="noopener">Open the library to add pictures</a></footer>';
    document.body.append(dialog);
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    let timer = null;
    const search = dialog.querySelector("input[type=search]");
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.page = 1; load(); }, 250);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); state.page = 1; load(); }
    });
    dialog.querySelector("[data-previous]").addEventListener("click", function () { state.page -= 1; load(); });
    dialog.querySelector("[data-next]").addEventListener("click", function () { state.page += 1; load(); });
  }

  function choiceButton(entry) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "picture-choice";
    button.dataset.imageId = entry.id;
    button.innerHTML =
      '<img src="' + escapeHtml(entry.thumbnail) + '" alt="" width="' + entry.width + '" height="' + entry.height + '">' +
      '<span class="picture-choice-alt">' + escapeHtml(entry.alt_text || "") + '</span>' +
      (entry.missing_alt_text ? '<span class="library-badge">No alt text</span>' : "") +
      (entry.credit ? '<span class="library-credit">' + escapeHtml(entry.credit) + '</span>' : "");
    button.addEventListener("click", function () {
      dialog.close();
      state.onChoose(entry);
    });
    item.append(button);
    return item;
  }

  let latest = 0;  // only the answer to the newest search is shown, whatever order they come in

  function load() {
    const ticket = ++latest;
    const query = dialog.querySelector("input[type=search]").value.trim();
    const url = state.url + "?" + new URLSearchParams({q: query, page: state.page});
    const grid = dialog.querySelector(".library-grid");
    const count = dialog.querySelector(".picture-picker-count");
    count.textContent = "Loading…";
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("The library could not be loaded (" + response.status + ").");
        return response.json();
      })
      .then(function (data) {
        if (ticket !== latest) return;
        state.page = data.page;
        grid.replaceChildren(...data.results.map(choiceButton));
        count.textContent = data.count === 1 ? "1 picture" : data.count + " pictures";
        if (!data.count) count.textContent = query ? "No picture matches “" + query + "”." : "The library is empty.";
        dialog.querySelector(".picture-picker-page").textContent = "Page " + data.page + " of " + data.pages;
        dialog.querySelector("[data-previous]").disabled = data.page <= 1;
        dialog.querySelector("[data-next]").disabled = data.page >= data.pages;
      })
      .catch(function (error) { if (ticket === latest) count.textContent = error.message; });
  }

  function openPicker(url, title, onChoose) {
    if (!dialog) buildDialog();
    state = {url: url, page: 1, onChoose: onChoose};
    dialog.querySelector("#picture-picker-title").textContent = title;
    dialog.querySelector(".picture-picker-library").href = url.replace(/library\/pictures\/$/, "");
    dialog.querySelector("input[type=search]").value = "";
    dialog.showModal();
    dialog.querySelector("input[type=search]").focus();
    load();
  }

  /* --- The lead picture ------------------------------------------------------------- */

  function wireLeadPicture(box) {
    const input = box.querySelector("input[type=hidden]");
    const thumbnail = box.querySelector(".lead-picture-thumbnail");
    const words = box.querySelector(".lead-picture-words");
    const remove = box.querySelector("[data-remove-picture]");
    const set = function (entry) {
      input.value = entry ? entry.id : "";
      thumbnail.hidden = !entry;
      thumbnail.src = entry ? entry.thumbnail : "";
      words.textContent = entry ? (entry.alt_text || "No alt text yet") : "No lead picture.";
      remove.hidden = !entry;
      box.querySelector(".lead-picture-alt")?.remove();
      input.dispatchEvent(new Event("input", {bubbles: true}));
      input.dispatchEvent(new Event("change", {bubbles: true}));
    };
    box.querySelector("[data-choose-picture]").addEventListener("click", function () {
      openPicker(box.dataset.libraryUrl, "Choose the lead picture", set);
    });
    remove.addEventListener("click", function () { set(null); });
  }

  /* --- A picture in the body -------------------------------------------------------- */

  function figureHtml(entry) {
    const caption = [entry.caption ? escapeHtml(entry.caption) : "",
                     entry.credit ? '<small class="credit">' + escapeHtml(entry.credit) + "</small>" : ""]
      .filter(Boolean).join(" ");
    return '<figure class="inline-image"><img data-image-id="' + entry.id + '" src="' +
      escapeHtml(entry.src) + '" alt="' + escapeHtml(entry.alt_text) + '" width="' + entry.width +
      '" height="' + entry.height + '">' + (caption ? "<figcaption>" + caption + "</figcaption>" : "") +
      "</figure>";
  }

  function wireInsertButton(button) {
    button.addEventListener("click", function () {
      const editor = editors.get(button.dataset.editorFor);
      if (!editor) return;
      const selection = editor.state.selection;
      openPicker(button.dataset.libraryUrl, "Insert a picture into the body", function (entry) {
        editor.chain().focus().setTextSelection({from: selection.from, to: selection.to}).insertContent(figureHtml(entry)).run();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-lead-picture]").forEach(wireLeadPicture);
    document.querySelectorAll("[data-insert-picture]").forEach(wireInsertButton);
  });
})();
