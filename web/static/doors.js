// doors.js records the visits of a grid worker's phone page. Every tap
// becomes a submission with a client id (a UUID made here) and goes into
// a queue kept in localStorage, so it survives a lost network, a closed
// tab and a flat battery; the queue is sent in order whenever the phone
// is online, and a resend of the same client id is recorded once by the
// server. #pending-count shows how many submissions wait on the phone.
(function () {
  "use strict";
  var root = document.getElementById("doors");
  if (!root) {
    return;
  }
  var KEY = "frontline.visits.queue";
  var campaign = root.getAttribute("data-campaign");
  var csrf = root.getAttribute("data-csrf");
  var state = document.getElementById("sync-state");
  var counter = document.getElementById("pending-count");
  var errorLine = document.getElementById("sync-error");
  var sending = false;

  function msg(name) {
    return root.getAttribute("data-msg-" + name) || name;
  }

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY) || "[]");
    } catch (e) {
      return [];
    }
  }

  function save(queue) {
    localStorage.setItem(KEY, JSON.stringify(queue));
    counter.textContent = String(queue.length);
    root.setAttribute("data-pending", String(queue.length));
  }

  function setState(name) {
    state.setAttribute("data-state", name);
    state.textContent = msg(name);
  }

  // uuid returns a version 4 UUID; crypto.randomUUID exists only on
  // HTTPS and localhost, getRandomValues everywhere.
  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function markDoor(household, text, status) {
    var door = document.getElementById("door-" + household);
    if (!door) {
      return;
    }
    door.querySelector("[data-testid=door-status]").textContent = text;
    if (status) {
      door.setAttribute("data-status", status);
    }
  }

  function enqueue(body, label) {
    body.client_id = uuid();
    body.visited_at = new Date().toISOString();
    var queue = load();
    queue.push({ campaign: campaign, body: body, label: label });
    save(queue);
    markDoor(body.household_id, label + " · " + msg("queued"), "queued");
    flush();
  }

  // flush sends the queue in order. A network failure stops it until the
  // next chance; a refusal (4xx) drops that submission and shows why, so
  // one bad entry cannot block the rest.
  function flush() {
    if (sending) {
      return;
    }
    var queue = load();
    if (queue.length === 0) {
      setState("idle");
      return;
    }
    if (!navigator.onLine) {
      setState("offline");
      return;
    }
    sending = true;
    var item = queue[0];
    fetch("/api/v1/campaigns/" + item.campaign + "/visits", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(item.body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        var rest = load().filter(function (q) { return q.body.client_id !== item.body.client_id; });
        if (resp.ok) {
          save(rest);
          markDoor(item.body.household_id, item.label, item.body.outcome);
        } else if (resp.status >= 400 && resp.status < 500 && resp.status !== 401 && resp.status !== 408 && resp.status !== 429) {
          save(rest);
          markDoor(item.body.household_id, msg("failed"), null);
          errorLine.hidden = false;
          errorLine.textContent = msg("failed") + ": " + ((data.error && data.error.message) || resp.status);
        } else {
          throw new Error("retry later");
        }
        sending = false;
        flush();
      });
    }).catch(function () {
      sending = false;
      setState(navigator.onLine ? "failed" : "offline");
    });
  }

  function personOf(fs) {
    var get = function (name) {
      var el = fs.querySelector("[name=" + name + "]");
      return el ? el.value.trim() : "";
    };
    var p = { present: fs.querySelector("[name=present]").checked, health: get("health") };
    var area = get("area");
    if (area) {
      p.travel = { arrived_on: get("arrived"), means: get("means") };
      if (/^[0-9]+$/.test(area)) {
        p.travel.area_code = area;
      } else {
        p.travel.area_name = area;
      }
    }
    if (fs.getAttribute("data-new")) {
      if (!get("name")) {
        return null;
      }
      p.new = { name: get("name"), id_number: get("id_number"), phone: get("phone") };
    } else {
      p.person_id = Number(fs.getAttribute("data-person"));
    }
    return p;
  }

  root.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-outcome]");
    if (!btn) {
      return;
    }
    var door = btn.closest(".door");
    var outcome = btn.getAttribute("data-outcome");
    var household = Number(door.getAttribute("data-household"));
    var note = door.querySelector("[name=note]");
    if (outcome === "screened") {
      door.querySelector("form.screen").hidden = false;
      return;
    }
    if (outcome === "refused" && !note.value.trim()) {
      note.focus();
      note.setAttribute("aria-invalid", "true");
      errorLine.hidden = false;
      errorLine.textContent = msg("note");
      return;
    }
    enqueue({ household_id: household, outcome: outcome, note: note.value.trim() }, btn.textContent);
  });

  root.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form.screen");
    if (!form) {
      return;
    }
    ev.preventDefault();
    var door = form.closest(".door");
    var persons = [];
    form.querySelectorAll("fieldset.person").forEach(function (fs) {
      var p = personOf(fs);
      if (p) {
        persons.push(p);
      }
    });
    var undated = persons.some(function (p) { return p.travel && !p.travel.arrived_on; });
    if (undated || persons.length === 0) {
      // Caught here, not by the server: a refused submission is dropped
      // from the queue, and the worker would have to visit again.
      errorLine.hidden = false;
      errorLine.textContent = msg(undated ? "travel" : "persons");
      return;
    }
    var label = door.querySelector("button[data-outcome=screened]").textContent;
    enqueue({ household_id: Number(door.getAttribute("data-household")), outcome: "screened",
      note: door.querySelector("[name=note]").value.trim(), persons: persons }, label);
    form.hidden = true;
  });

  document.getElementById("sync-now").addEventListener("click", flush);
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { setState("offline"); });
  setInterval(flush, 15000);
  save(load());
  load().forEach(function (q) {
    if (q.campaign === campaign) {
      markDoor(q.body.household_id, q.label + " · " + msg("queued"), "queued");
    }
  });
  flush();
})();
