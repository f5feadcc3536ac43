// live.js keeps the counts of a place page current. The page works
// without it; with it, every [data-live] section asks the API for its
// place every 10 seconds while the page is visible, and rewrites the
// figures of every element marked data-place="ID" / data-count="NAME".
(function () {
  "use strict";
  var every = 10000;
  var format = new Intl.NumberFormat(document.documentElement.lang || "zh-CN");

  function apply(place) {
    var marked = document.querySelectorAll('[data-place="' + place.id + '"]');
    marked.forEach(function (el) {
      el.querySelectorAll("[data-count]").forEach(function (cell) {
        var v = place[cell.getAttribute("data-count")];
        if (typeof v === "number") {
          cell.textContent = format.format(v);
        }
      });
    });
  }

  function poll(section) {
    var url = section.getAttribute("data-live");
    var timer = null;
    function tick() {
      if (document.visibilityState !== "visible") {
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) {
          if (!resp.ok) {
            // Signed out, or the place is gone: stop asking.
            clearInterval(timer);
            return null;
          }
          return resp.json();
        })
        .then(function (body) {
          if (!body) {
            return;
          }
          apply(body.place);
          (body.children || []).forEach(apply);
          section.setAttribute("data-updated", new Date().toISOString());
        })
        .catch(function () { /* offline for a moment; try again next time */ });
    }
    timer = setInterval(tick, every);
    document.addEventListener("visibilitychange", tick);
  }

  document.querySelectorAll("[data-live]").forEach(poll);
})();
