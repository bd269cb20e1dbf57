// Share links: the plain links work everywhere; this adds "Share…" (the browser's own share
// sheet, through the Web Share API) and "Copy link" where the browser has them.
(function () {
  "use strict";
  document.querySelectorAll("[data-share]").forEach(function (button) {
    var data = { title: button.dataset.title, url: button.dataset.url };
    if (!navigator.share || (navigator.canShare && !navigator.canShare(data))) return;
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      navigator.share(data).catch(function () { /* the reader closed the sheet */ });
    });
  });
  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var status = button.parentElement.querySelector("[data-copy-status]");
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.url).then(function () {
        status.textContent = "Link copied.";
      }, function () {
        status.textContent = "Could not copy; the address is " + button.dataset.url;
      });
    });
  });
})();
