// Tells the server this story is open here, and shows who else has it open.
(function () {
  "use strict";
  var banner = document.querySelector("[data-presence-url]");
  if (!banner) return;
  var url = banner.getAttribute("data-presence-url");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function post(extra) {
    var body = new URLSearchParams(extra || {});
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf },
    });
  }

  function refresh() {
    post().then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) return;
      banner.querySelector(".also-editing-names").textContent = data.others.join(", ");
      banner.querySelector(".also-editing-verb").textContent = data.others.length === 1 ? "is" : "are";
      banner.hidden = data.others.length === 0;
    }).catch(function () {});
  }

  setInterval(refresh, 20000);
  window.addEventListener("pagehide", function () {
    var body = new URLSearchParams({ leaving: "1", csrfmiddlewaretoken: csrf });
    navigator.sendBeacon(url, body);
  });
})();
