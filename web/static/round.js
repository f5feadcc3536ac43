// round.js keeps a round's dashboard current. The page works without it;
// with it, the figures of the node and its children follow the server's
// "coverage" events (server-sent), and reconnect by themselves.
(function () {
  "use strict";
  var section = document.querySelector("[data-events]");
  if (!section || !window.EventSource) {
    return;
  }
  var format = new Intl.NumberFormat(document.documentElement.lang || "zh-CN");
  var flag = section.querySelector("[data-live-flag]");

  function set(row, c) {
    if (!row) {
      return;
    }
    row.querySelectorAll("[data-count]").forEach(function (cell) {
      var name = cell.getAttribute("data-count");
      var v = c[name];
      if (name === "percent" && typeof v === "number") {
        cell.textContent = v.toFixed(1) + "%";
      } else if (typeof v === "number") {
        cell.textContent = format.format(v);
      }
    });
  }

  var source = new EventSource(section.getAttribute("data-events"));
  source.addEventListener("coverage", function (ev) {
    var data = JSON.parse(ev.data);
    set(section.querySelector('.figures[data-node="' + data.node.place_id + '"]'), data.node);
    (data.children || []).forEach(function (c) {
      set(section.querySelector('tr[data-node="' + c.place_id + '"]'), c);
    });
    // Sites and stations sit below the flow chart, outside the section.
    (data.sites || []).forEach(function (c) {
      set(document.querySelector('tr[data-site="' + c.site_id + '"]'), c);
    });
    (data.stations || []).forEach(function (c) {
      set(document.querySelector('tr[data-station="' + c.station_id + '"]'), c);
    });
    if (flag) {
      flag.hidden = false;
    }
  });
  source.onerror = function () {
    if (flag) {
      flag.hidden = true;
    }
  };
})();
