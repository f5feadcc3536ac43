// dashboard.js keeps a dashboard live: it listens to the page's stream of
// server-sent events and puts each event's figures and charts (drawn on
// the server) in place. Without it the page shows what it was served.
(function () {
  "use strict";
  var root = document.querySelector("[data-events]");
  if (!root || !window.EventSource) {
    return;
  }
  var live = root.querySelector(".live");
  var source = new EventSource(root.getAttribute("data-events"));
  source.addEventListener("dashboard", function (ev) {
    var view;
    try {
      view = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    (view.tiles || []).forEach(function (t) {
      var el = root.querySelector('[data-tile="' + t.key + '"]');
      if (!el) {
        return;
      }
      el.querySelector(".v").textContent = t.value;
      var chg = el.querySelector(".chg");
      chg.textContent = t.change;
      chg.className = "chg " + t.dir;
    });
    (view.charts || []).forEach(function (c) {
      var slot = root.querySelector('[data-slot="' + c.key + '"] .svg');
      if (slot) {
        // The SVG is drawn and escaped by the server (package chart).
        slot.innerHTML = c.svg;
      }
    });
    if (live) {
      live.hidden = false;
    }
  });
  source.addEventListener("error", function () {
    if (live) {
      live.hidden = true;
    }
  });
})();
