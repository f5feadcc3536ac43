// station.js is the sampling table: scan a tube, scan persons into it,
// seal, undo. Every scan is a request with an id made here; a request the
// server did not answer (the network is down, the server restarts) waits
// in a queue kept in localStorage and is sent again with the same id, so
// it binds once however often it is sent.
(function () {
  "use strict";
  var root = document.getElementById("station");
  if (!root) {
    return;
  }
  var round = root.getAttribute("data-round");
  var csrf = root.getAttribute("data-csrf");
  var api = "/api/v1/rounds/" + round;
  var queueKey = "frontline.station.queue." + round;
  var seqKey = "frontline.station.seq";
  var deviceKey = "frontline.station.device";
  var tubeInput = document.getElementById("tube");
  var personInput = document.getElementById("person");
  var stateLine = document.getElementById("tube-state");
  var net = document.getElementById("net");
  var log = document.getElementById("log");
  var stationSelect = document.getElementById("station-id");
  var tube = null;

  function msg(name, a, b) {
    return (root.getAttribute("data-msg-" + name) || "").replace("%s", a === undefined ? "" : a).replace("%s", b === undefined ? "" : b);
  }

  // A request id is this device's random id and a counter: unique without
  // asking the server, and readable in a log.
  function device() {
    var d = localStorage.getItem(deviceKey);
    if (!d) {
      d = Math.random().toString(36).slice(2, 10);
      localStorage.setItem(deviceKey, d);
    }
    return d;
  }
  function nextID() {
    var n = parseInt(localStorage.getItem(seqKey) || "0", 10) + 1;
    localStorage.setItem(seqKey, String(n));
    return "st-" + device() + "-" + n;
  }
  function queue() {
    try {
      return JSON.parse(localStorage.getItem(queueKey) || "[]");
    } catch (e) {
      return [];
    }
  }
  function saveQueue(q) {
    localStorage.setItem(queueKey, JSON.stringify(q));
    showNet(q.length === 0);
  }
  function showNet(online) {
    var waiting = queue().length;
    net.textContent = online && waiting === 0 ? msg("online") : msg("offline") + " · " + msg("queue", waiting);
    net.className = "net" + (online && waiting === 0 ? "" : " offline");
  }

  function note(text, ok) {
    var li = document.createElement("li");
    li.textContent = text;
    li.className = ok ? "ok" : "refused";
    log.insertBefore(li, log.firstChild);
  }
  function showTube(t) {
    tube = t;
    stateLine.textContent = t ? t.code + " · " + msg("count", t.count, t.capacity || "?") + (t.state !== "open" ? " · " + t.state : "") : "";
    if (t && t.state !== "open") {
      tubeInput.value = "";
      tubeInput.focus();
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf }
    }).then(function (resp) {
      return resp.json().then(function (data) {
        if (resp.status >= 500) {
          throw new Error("server " + resp.status);
        }
        return { ok: resp.ok, data: data };
      });
    });
  }

  function answered(a) {
    if (a.error) {
      note(a.error.message, false);
    }
    (a.items || []).forEach(function (it) {
      note((it.ok ? msg("bound") : msg("refused")) + " #" + it.person_id + (it.error ? " · " + it.error.message : ""), it.ok);
    });
    if (a.tube) {
      showTube(a.tube);
    }
  }

  // send sends one request, or queues it when the server cannot be reached.
  function send(req) {
    if (stationSelect) {
      req.station_id = parseInt(stationSelect.value, 10);
    }
    return post(api + "/bindings", req).then(function (r) {
      if (!r.ok) {
        note(r.data.error ? r.data.error.message : "error", false);
        return;
      }
      answered(r.data);
      showNet(true);
    }).catch(function () {
      var q = queue();
      q.push(req);
      saveQueue(q);
    });
  }

  // replay sends the queued requests in one batch, with their ids, and
  // keeps those the server could not answer.
  function replay() {
    var q = queue();
    if (q.length === 0) {
      return;
    }
    post(api + "/bindings/batch", { requests: q.slice(0, 200) }).then(function (r) {
      if (!r.ok) {
        return;
      }
      var left = q.slice(200);
      r.data.answers.forEach(function (item, i) {
        if (item.answer) {
          answered(item.answer);
        } else if (item.error && item.error.code === "internal") {
          left.push(q[i]);
        } else if (item.error) {
          note(item.error.message, false);
        }
      });
      saveQueue(left);
    }).catch(function () { showNet(false); });
  }

  // person reads a scan: a personal code, a household code, or an ID
  // number looked up in the registry.
  function person(text) {
    var m = /^FL:([PH]):(\d+)$/.exec(text);
    if (m) {
      return Promise.resolve(m[1] === "P" ? { persons: [parseInt(m[2], 10)] } : { household_id: parseInt(m[2], 10) });
    }
    return fetch("/api/v1/persons?id_number=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.json(); })
      .then(function (data) {
        if (!data.persons || data.persons.length !== 1) {
          throw new Error("?");
        }
        return { persons: [data.persons[0].id] };
      });
  }

  tubeInput.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") {
      return;
    }
    ev.preventDefault();
    var code = tubeInput.value.trim().toUpperCase();
    if (code) {
      showTube({ code: code, count: 0, capacity: 0, state: "open" });
      personInput.focus();
    }
  });
  personInput.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !tube) {
      return;
    }
    ev.preventDefault();
    var text = personInput.value.trim();
    personInput.value = "";
    person(text).then(function (who) {
      var req = { request_id: nextID(), tube: tube.code };
      Object.keys(who).forEach(function (k) { req[k] = who[k]; });
      return send(req);
    }).catch(function () { note(text + " ?", false); });
  });
  document.getElementById("seal").addEventListener("click", function () {
    if (tube) {
      send({ request_id: nextID(), tube: tube.code, seal: true });
    }
  });
  document.getElementById("undo").addEventListener("click", function () {
    if (tube) {
      post(api + "/tubes/" + encodeURIComponent(tube.code) + "/undo", {}).then(function (r) {
        note(r.ok ? "↶ #" + r.data.undone.person_id : r.data.error.message, r.ok);
        if (r.ok) {
          showTube({ code: tube.code, count: Math.max(0, tube.count - 1), capacity: tube.capacity, state: "open" });
        }
      });
    }
  });
  document.getElementById("new-tube").addEventListener("click", function () {
    showTube(null);
    tubeInput.value = "";
    tubeInput.focus();
  });
  window.addEventListener("online", replay);
  setInterval(replay, 5000);
  showNet(true);
  tubeInput.focus();
})();
