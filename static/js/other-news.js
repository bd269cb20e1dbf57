// "In Other News": the "More stories" link fetches the next batch as an HTML fragment
// and appends it to the list. Without this script the link opens that batch as a page.
(function () {
  "use strict";
  document.querySelectorAll("[data-load-more]").forEach(function (link) {
    var list = document.getElementById(link.dataset.target);
    var status = link.closest("aside").querySelector("[data-load-more-status]");
    var busy = false;
    link.setAttribute("role", "button");
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); link.click(); }
    });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      link.setAttribute("aria-busy", "true");
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("partial", "1");
      fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var batch = doc.querySelector("ul[data-next]");
          var known = new Set(Array.from(list.querySelectorAll("a.other-news-headline"))
            .map(function (a) { return a.getAttribute("href"); }));
          var first = null;
          var added = 0;
          Array.from(batch.children).forEach(function (item) {
            var headline = item.querySelector("a.other-news-headline");
            if (headline && known.has(headline.getAttribute("href"))) return;
            list.appendChild(item);
            added += 1;
            first = first || headline;
          });
          if (status) status.textContent = added + " more stories loaded.";
          if (batch.dataset.next) {
            link.href = batch.dataset.next;
          } else {
            link.closest(".load-more-wrap").remove();
          }
          if (first) first.focus();
        })
        .catch(function () {
          window.location.href = link.href; // fall back to the ordinary page
        })
        .finally(function () {
          busy = false;
          link.removeAttribute("aria-busy");
        });
    });
  });
})();
