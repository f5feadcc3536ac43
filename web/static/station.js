// station.js is the sampling table: scan a tube, scan or find persons
// into it, seal, undo, bag the sealed tubes. Every scan is a request with
// an id made here; a request the server did not answer (the network is
// down, the server restarts) waits in a queue kept in localStorage and is
// sent again with the same id, so it binds once however often it is sent.
// Requests go out one at a time, in the order they were made, and the
// queue goes before any new request: a seal never overtakes the scans made
// before it. Every line it shows comes from the page's catalogue
// (#station-text), never from the server's English messages.
(function () {
  "use strict";
  var root = document.getElementById("station");
  if (!root) {
    return;
  }
  var text = JSON.parse(document.getElementById("station-text").textContent || "{}");
  var round = root.getAttribute("data-round");
  var scope = root.getAttribute("data-scope");
  var csrf = root.getAttribute("data-csrf");
  var bagSize = parseInt(root.getAttribute("data-bag-size"), 10) || 20;
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
  var found = document.getElementById("found");
  var foundNote = document.getElementById("found-note");
  var foundList = document.getElementById("found-list");
  var undoButton = document.getElementById("undo");
  var tube = null;
  // names are the persons this page knows by name (from a search or a
  // look-up), by id: "name · masked ID number", as the registry shows them.
  var names = {};
  // stacks are the bindings this page made, per tube, newest last: undo
  // names the binding it means, so a repeat cannot take out another. They
  // are kept for the tab's session (a reload keeps them, another tab or
  // phone has its own): undo takes out only what this page bound, never
  // another station's newest binding of the same tube.
  var stacksKey = "frontline.station.stacks." + round;
  var stacks = loadJSON(sessionStorage, stacksKey, {});
  // sealedKey keeps the codes of tubes known to be sealed (sealed here, or
  // found so), so scanning one again says so at once, even offline.
  var sealedKey = "frontline.station.sealed." + round;
  // chain runs the page's requests one after another.
  var chain = Promise.resolve();

  function loadJSON(store, key, empty) {
    try {
      return JSON.parse(store.getItem(key) || "null") || empty;
    } catch (e) {
      return empty;
    }
  }
  function isSealed(code) {
    return loadJSON(localStorage, sealedKey, []).indexOf(code) >= 0;
  }
  function markSealed(code) {
    var list = loadJSON(localStorage, sealedKey, []);
    if (list.indexOf(code) < 0) {
      list.push(code);
      localStorage.setItem(sealedKey, JSON.stringify(list.slice(-500)));
    }
  }

  function msg(name) {
    var s = text[name] || "";
    for (var i = 1; i < arguments.length; i++) {
      var a = String(arguments[i]);
      s = s.replace("%s", function () { return a; });
    }
    return s;
  }
  function serial(fn) {
    chain = chain.then(fn).catch(function () {});
    return chain;
  }

  // A request id is this device's random id and a counter: unique without
  // asking the server, and readable in a log. The server keeps it apart
  // from other callers' ids.
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
    net.textContent = online && waiting === 0 ? msg("station.online") : msg("station.offline") + " · " + msg("station.queue", waiting);
    net.className = "net" + (online && waiting === 0 ? "" : " offline");
  }

  function note(line, ok) {
    var li = document.createElement("li");
    li.textContent = line;
    li.className = ok ? "ok" : "refused";
    log.insertBefore(li, log.firstChild);
    return li;
  }
  function stationID() {
    return stationSelect ? parseInt(stationSelect.value, 10) : 0;
  }

  // reasonText says why something was refused, in the page's language.
  function reasonText(err) {
    return (err && err.reason && text["station.reason." + err.reason]) || msg("station.reason.other");
  }
  // local returns the day and the clock of a moment in the deployment's
  // time zone (the body's data-time-zone), never the phone's: a phone set
  // to another zone must still show the hour the residents were called
  // for. Without Intl's zones it falls back to the zone's offset.
  var zone = document.body.getAttribute("data-time-zone");
  var offset = parseInt(document.body.getAttribute("data-utc-offset"), 10) || 0;
  function local(d) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
      return { day: parts.year + "-" + parts.month + "-" + parts.day, month: parts.month, date: parts.day,
        hm: parts.hour + ":" + parts.minute };
    } catch (e) {
      var u = new Date(d.getTime() + offset * 60000);
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return { day: u.getUTCFullYear() + "-" + (u.getUTCMonth() + 1) + "-" + u.getUTCDate(), month: String(u.getUTCMonth() + 1),
        date: String(u.getUTCDate()), hm: pad(u.getUTCHours()) + ":" + pad(u.getUTCMinutes()) };
    }
  }
  function clock(at) {
    var t = local(new Date(at));
    var pad = function (s) { return s.length < 2 ? "0" + s : s; };
    return t.day === local(new Date()).day ? t.hm : t.month + "-" + pad(t.date) + " " + t.hm;
  }
  function priorText(p) {
    var where = [p.site, p.station].filter(function (x) { return x; }).join(" · ");
    return msg("station.prior", where || "?", clock(p.at), p.tube_code);
  }

  function personLabel(p) {
    return p.name + (p.id_number ? " · " + p.id_number : "");
  }
  // nameOf resolves a person's name, looking it up once: refusals are
  // rare, and a sampler must see who was refused, not a number.
  function nameOf(id) {
    if (names[id]) {
      return Promise.resolve(names[id]);
    }
    return fetch("/api/v1/persons/" + id, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) {
        if (data && data.person) {
          names[id] = personLabel(data.person);
        }
        return names[id] || "#" + id;
      }, function () { return "#" + id; });
  }

  function showTube(t) {
    tube = t;
    var state = t && t.state !== "open" ? " · " + (text["station.tube_state." + t.state] || t.state) : "";
    stateLine.textContent = t ? t.code + " · " + msg("station.count", t.count, t.capacity || "?") + state : "";
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

  function remember(code, it) {
    var s = stacks[code] = stacks[code] || [];
    if (!s.some(function (b) { return b.id === it.binding_id; })) {
      s.push({ id: it.binding_id, person: it.person_id });
    }
    sessionStorage.setItem(stacksKey, JSON.stringify(stacks));
  }

  // answered shows an answer. A person bound from a scanned code is named
  // by a look-up when the answer is live, so the sampler sees who went in
  // (a household code binds several); a replayed queue is not looked up,
  // so two hundred answers do not become two hundred look-ups.
  function answered(a, replayed) {
    if (a.error) {
      note(msg("station.refused") + " · " + reasonText(a.error), false);
    }
    (a.items || []).forEach(function (it) {
      if (it.ok) {
        if (a.tube) {
          remember(a.tube.code, it);
        }
        // A restriction that lets the person be sampled still says so
        // (health monitoring): the sampler tells the person's follow-up.
        var extra = it.restriction && text["restriction." + it.restriction] ? " · " + text["restriction." + it.restriction] : "";
        var done = note(msg("station.bound") + " · " + (names[it.person_id] || "#" + it.person_id) + extra, true);
        if (!names[it.person_id] && !replayed) {
          nameOf(it.person_id).then(function (who) { done.textContent = msg("station.bound") + " · " + who + extra; });
        }
        return;
      }
      var rest = reasonText(it.error) + (it.prior ? " · " + priorText(it.prior) : "");
      var li = note(msg("station.refused") + " · #" + it.person_id + " · " + rest, false);
      nameOf(it.person_id).then(function (who) {
        li.textContent = msg("station.refused") + " · " + who + " · " + rest;
      });
    });
    if (a.tube && tube && a.tube.code === tube.code) {
      showTube(a.tube);
    }
    if (a.tube && a.tube.state !== "open") {
      markSealed(a.tube.code);
    }
    if (a.tube && a.tube.state === "sealed") {
      loadBag();
    }
  }

  function push(req) {
    var q = queue();
    q.push(req);
    saveQueue(q);
  }

  // send sends one request after those before it, or queues it when the
  // server cannot be reached or older requests still wait.
  function send(req) {
    return serial(function () { return sendNow(req); });
  }
  // sendNow is send's body, for a step already in the chain.
  function sendNow(req) {
    var st = stationID();
    if (st) {
      req.station_id = st;
    }
    if (queue().length > 0 || offline()) {
      push(req);
      return replayNow();
    }
    return post(api + "/bindings", req).then(function (r) {
      if (!r.ok) {
        note(msg("station.refused") + " · " + reasonText(r.data.error), false);
        return;
      }
      answered(r.data);
      showNet(true);
    }, function () { push(req); });
  }

  // withTube runs fn with the current tube. While a scanned tube is still
  // being looked up, fn waits for the answer in the chain instead of being
  // dropped: a scanner types the tube and the first person within a few
  // milliseconds, and a tap on seal or undo right after a scan means that
  // tube. Without a tube, the tube field takes the focus.
  var lookingUp = 0;
  function withTube(fn) {
    if (tube || lookingUp === 0) {
      if (!tube) {
        tubeInput.focus();
        return;
      }
      fn(tube, false);
      return;
    }
    serial(function () {
      if (!tube) {
        tubeInput.focus();
        return;
      }
      return fn(tube, true);
    });
  }

  // replayNow sends the queued requests in one batch, with their ids; the
  // server runs them in order and answers "internal" for those it did not
  // run ("unavailable" for the one the database could not take), which
  // are kept, in order, for the next try. A 503 (the database is out) or
  // any other 5xx keeps the whole queue, as a lost network does.
  function replayNow() {
    var q = queue();
    if (q.length === 0 || offline()) {
      return Promise.resolve();
    }
    return post(api + "/bindings/batch", { requests: q.slice(0, 200) }).then(function (r) {
      if (!r.ok) {
        return;
      }
      var left = [];
      r.data.answers.forEach(function (item, i) {
        if (item.answer) {
          answered(item.answer, true);
        } else if (item.error && (item.error.code === "internal" || item.error.code === "unavailable")) {
          // Not run, or the database was out: kept, in order, for the
          // next try.
          left.push(q[i]);
        } else if (item.error) {
          note(msg("station.refused") + " · " + reasonText(item.error), false);
        }
      });
      saveQueue(left.concat(q.slice(200)));
    }, function () { showNet(false); });
  }
  function replay() {
    return serial(replayNow);
  }

  // Finding a person by what was typed: a phone number, an ID number (all
  // of it or its last 4 or more characters) or the start of a name, among
  // the persons of the round's area the caller may see.
  function searchKind(q) {
    if (/^1\d{10}$/.test(q)) {
      return "phone";
    }
    return /^\d{3,17}[\dXx]$/.test(q) ? "id_number" : "name";
  }
  function showFound(line, persons) {
    foundNote.textContent = line;
    foundList.textContent = "";
    (persons || []).forEach(function (p) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.setAttribute("data-testid", "found-" + p.id);
      b.textContent = personLabel(p) + (p.address ? " · " + p.address : "");
      b.addEventListener("click", function () {
        hideFound();
        personInput.value = "";
        bindPersons({ persons: [p.id] });
        personInput.focus();
      });
      li.appendChild(b);
      foundList.appendChild(li);
    });
    found.hidden = false;
  }
  function hideFound() {
    found.hidden = true;
    foundList.textContent = "";
  }
  var searchLimit = 10;
  // offline reports what the phone knows of its signal; a request that
  // fails is taken as offline too.
  function offline() {
    return navigator.onLine === false;
  }
  function searchOffline() {
    // Say so, and keep what was typed for when the network is back.
    showFound(msg("station.search.offline"));
    showNet(false);
  }
  function search(q) {
    if (offline()) {
      searchOffline();
      return Promise.resolve();
    }
    var kind = searchKind(q);
    var url = "/api/v1/persons?under=" + scope + "&limit=" + (searchLimit + 1) + "&" + kind + "=" + encodeURIComponent(q);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (resp) {
      return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
    }).then(function (r) {
      var persons = r.ok && r.data.persons ? r.data.persons : [];
      persons.forEach(function (p) { names[p.id] = personLabel(p); });
      if (persons.length === 0) {
        showFound(msg("station.search.none", q));
        return;
      }
      // A whole ID number or phone number that finds one person is a scan:
      // bind at once, as a card reader would.
      if (persons.length === 1 && kind !== "name" && q.length >= 11) {
        personInput.value = "";
        hideFound();
        bindPersons({ persons: [persons[0].id] });
        return;
      }
      var more = persons.length > searchLimit ? " " + msg("station.search.more", searchLimit) : "";
      showFound(msg("station.search.pick") + more, persons.slice(0, searchLimit));
    }, searchOffline);
  }

  function bindPersons(who) {
    withTube(function (t, inChain) {
      var req = { request_id: nextID(), tube: t.code };
      Object.keys(who).forEach(function (k) { req[k] = who[k]; });
      return inChain ? sendNow(req) : send(req);
    });
  }

  // undoTarget is the binding undo takes out: the newest this page made in
  // the tube, or none. A binding another station or tab made is theirs to
  // undo: taking out "the tube's newest" would take out someone else's
  // person.
  function undoTarget(code) {
    var s = stacks[code] || [];
    return Promise.resolve(s.length > 0 ? s[s.length - 1] : null);
  }
  function undo() {
    var code = tube.code;
    return undoTarget(code).then(function (b) {
      if (!b) {
        note(msg("station.undo.none"), false);
        return;
      }
      // The binding id makes the undo safe to send twice; the request id
      // only traces it in the audit log.
      return post(api + "/tubes/" + encodeURIComponent(code) + "/undo", { binding_id: b.id, request_id: nextID() }).then(function (r) {
        if (!r.ok) {
          note(msg("station.refused") + " · " + reasonText(r.data.error), false);
          return;
        }
        stacks[code] = (stacks[code] || []).filter(function (x) { return x.id !== b.id; });
        sessionStorage.setItem(stacksKey, JSON.stringify(stacks));
        var u = r.data.undone;
        var who = names[u.person_id] || u.person_name || "#" + u.person_id;
        note(msg(r.data.already_undone ? "station.undo.already" : "station.undo.done", who), true);
        if (!r.data.already_undone && tube && tube.code === code) {
          showTube({ code: code, count: Math.max(0, tube.count - 1), capacity: tube.capacity, state: "open" });
        }
      });
    }).catch(function () {
      note(msg("station.undo.offline"), false);
      showNet(false);
    });
  }

  tubeInput.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") {
      return;
    }
    ev.preventDefault();
    var code = tubeInput.value.trim().toUpperCase();
    if (code) {
      scanTube(code);
    }
  });

  // closedTube says first of all that a scanned tube takes no one: it is
  // sealed (or further on its way), so the sampler takes a new one before
  // scanning anybody into it.
  function closedTube(code, state) {
    tube = null;
    var line = msg("station.tube.closed", code, text["station.tube_state." + state] || state);
    stateLine.textContent = line;
    note(line, false);
    tubeInput.value = "";
    tubeInput.focus();
  }
  // scanTube takes a scanned tube code: one known sealed is refused at
  // once; otherwise the server says whether it is new, open (with its
  // count) or closed. Offline, the tube is taken as open, and a bind into
  // a closed one is refused when it is sent.
  function scanTube(code) {
    if (isSealed(code)) {
      closedTube(code, "sealed");
      return;
    }
    tube = null;
    stateLine.textContent = code;
    lookingUp++;
    var open = function (t) {
      showTube({ code: code, count: t ? t.count : 0, capacity: t ? t.capacity : 0, state: "open" });
      personInput.focus();
    };
    var lookedUp = function () { lookingUp--; };
    serial(function () {
      return Promise.resolve().then(look).then(lookedUp, lookedUp);
    });
    function look() {
      if (isSealed(code)) { // a seal sent meanwhile
        closedTube(code, "sealed");
        return;
      }
      if (offline()) {
        open(null);
        return;
      }
      return fetch("/api/v1/tubes/" + encodeURIComponent(code), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) {
          if (resp.status === 404) {
            return {};
          }
          if (!resp.ok) {
            throw new Error("tube " + resp.status);
          }
          return resp.json();
        }).then(function (data) {
          var t = data.tube;
          if (t && t.state !== "open") {
            markSealed(code);
            closedTube(code, t.state);
            return;
          }
          open(t);
        }, function () { open(null); });
    }
  }
  personInput.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") {
      return;
    }
    ev.preventDefault();
    var typed = personInput.value.trim();
    if (!typed) {
      return;
    }
    if (!tube && lookingUp === 0) {
      tubeInput.focus();
      return;
    }
    var m = /^FL:([PH]):(\d+)$/i.exec(typed);
    if (m) {
      personInput.value = "";
      hideFound();
      bindPersons(m[1].toUpperCase() === "P" ? { persons: [parseInt(m[2], 10)] } : { household_id: parseInt(m[2], 10) });
      return;
    }
    search(typed);
  });
  document.getElementById("seal").addEventListener("click", function () {
    withTube(function (t, inChain) {
      markSealed(t.code);
      var req = { request_id: nextID(), tube: t.code, seal: true };
      return inChain ? sendNow(req) : send(req);
    });
  });
  // Undo waits for the requests before it, a tube's look-up included, and
  // only one runs at a time: a double tap sends one undo.
  var undoing = false;
  undoButton.addEventListener("click", function () {
    if (undoing) {
      return;
    }
    undoing = true;
    undoButton.disabled = true;
    serial(function () {
      if (!tube) {
        tubeInput.focus();
        return;
      }
      if (queue().length > 0 || offline()) {
        note(msg("station.undo.offline"), false);
        return;
      }
      return undo();
    }).then(function () {
      undoing = false;
      undoButton.disabled = false;
    });
  });
  document.getElementById("new-tube").addEventListener("click", function () {
    showTube(null);
    hideFound();
    tubeInput.value = "";
    tubeInput.focus();
  });

  // The bag panel: this station's sealed tubes not yet bagged, oldest
  // first, up to a bag's worth, each ticked; the packer unticks any not
  // going in, types the count, and the bag is sealed when the count equals
  // the ticked tubes.
  var bagCode = document.getElementById("bag-code");
  var bagCount = document.getElementById("bag-count");
  var bagTubes = document.getElementById("bag-tubes");
  var bagMore = document.getElementById("bag-more");
  var bagDone = document.getElementById("bag-done");
  var bagCodeError = document.getElementById("bag-code-error");
  var bagCountError = document.getElementById("bag-count-error");
  function fieldError(el, line) {
    el.textContent = line || "";
    el.hidden = !line;
  }
  function loadBag() {
    var url = api + "/tubes?state=sealed&limit=100" + (stationID() ? "&station=" + stationID() : "");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (resp) {
      return resp.ok ? resp.json() : null;
    }).then(function (data) {
      if (!data) {
        return;
      }
      var all = (data.tubes || []).slice().reverse(); // the server lists newest first
      var shown = all.slice(0, bagSize);
      bagTubes.textContent = "";
      shown.forEach(function (t) {
        var li = document.createElement("li");
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.checked = true;
        box.value = t.code;
        box.setAttribute("data-testid", "bag-tube-" + t.code);
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + t.code + " · " + msg("station.count", t.count, t.capacity)));
        li.appendChild(label);
        bagTubes.appendChild(li);
      });
      var more = (data.total || 0) - shown.length;
      bagMore.textContent = shown.length === 0 ? msg("station.bag.none") : more > 0 ? msg("station.bag.more", more) : "";
    }, function () {
      bagMore.textContent = msg("station.bag.offline");
    });
  }
  function packBag() {
    fieldError(bagCodeError);
    fieldError(bagCountError);
    bagDone.textContent = "";
    var code = bagCode.value.trim().toUpperCase();
    if (!code) {
      fieldError(bagCodeError, msg("station.bag.code_missing"));
      bagCode.focus();
      return;
    }
    var tubes = Array.prototype.filter.call(bagTubes.querySelectorAll("input[type=checkbox]"), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
    var count = parseInt(bagCount.value, 10) || 0;
    if (count !== tubes.length) {
      fieldError(bagCountError, msg("station.bag.mismatch", count, tubes.length));
      bagCount.focus();
      return;
    }
    if (offline()) {
      fieldError(bagCountError, msg("station.bag.offline"));
      return;
    }
    var body = { code: code, count: count, tubes: tubes };
    if (stationID()) {
      body.station_id = stationID();
    }
    // A bag sent again with the same code and tubes is answered with the
    // bag, so a retry after a lost answer is safe.
    post(api + "/bags", body).then(function (r) {
      if (r.ok) {
        bagDone.textContent = msg("station.bag.done", r.data.bag.code, r.data.bag.expected);
        bagCode.value = "";
        bagCount.value = "";
        loadBag();
        return;
      }
      var e = r.data.error || {};
      if (e.field === "count") {
        fieldError(bagCountError, msg("station.bag.mismatch", count, tubes.length));
      } else if (e.field === "code") {
        fieldError(bagCodeError, msg("station.bag.code_used"));
      } else if (e.field === "tubes") {
        fieldError(bagCountError, msg("station.bag.stale"));
        loadBag();
      } else {
        fieldError(bagCountError, reasonText(e));
      }
    }, function () {
      fieldError(bagCountError, msg("station.bag.offline"));
      showNet(false);
    });
  }
  document.getElementById("bag-pack").addEventListener("click", packBag);
  document.getElementById("bag-refresh").addEventListener("click", loadBag);
  bagCode.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      bagCount.focus();
    }
  });

  var labelsLink = document.getElementById("labels-link");
  function stationChanged() {
    if (stationID()) {
      labelsLink.href = "/rounds/" + round + "/labels?station=" + stationID();
    }
    loadBag();
  }
  // The table's station is remembered on the device: the phone stays at
  // its table for the day.
  var stationKey = "frontline.station.table." + round;
  if (stationSelect) {
    var kept = localStorage.getItem(stationKey);
    if (kept && stationSelect.querySelector('option[value="' + kept + '"]')) {
      stationSelect.value = kept;
    }
    stationSelect.addEventListener("change", function () {
      localStorage.setItem(stationKey, stationSelect.value);
      stationChanged();
    });
  }
  window.addEventListener("online", replay);
  setInterval(replay, 5000);
  showNet(true);
  stationChanged();
  tubeInput.focus();
})();
