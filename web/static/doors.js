// doors.js records the visits of a grid worker's phone page. Every tap
// becomes a submission with a client id (a UUID made here) and goes into
// a queue kept in localStorage, so it survives a lost network, a closed
// tab and a flat battery; the queue is sent in order whenever the phone
// is online, and a resend of the same client id is recorded once by the
// server. #pending-count shows how many submissions wait on the phone.
//
// Nothing typed is lost: what is typed at a door is kept as a draft in
// localStorage as it is typed, and a visit the server refuses comes back
// as that door's draft, every field as it was, with the field the server
// named marked at its person in the page's language (the server's own
// messages are English and never shown).
(function () {
  "use strict";
  var root = document.getElementById("doors");
  if (!root) {
    return;
  }
  var KEY = "frontline.visits.queue";
  var DRAFTS = "frontline.visits.drafts";
  var text = JSON.parse(document.getElementById("doors-text").textContent || "{}");
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

  function loadDrafts() {
    try {
      return JSON.parse(localStorage.getItem(DRAFTS) || "{}");
    } catch (e) {
      return {};
    }
  }

  function saveDrafts(drafts) {
    localStorage.setItem(DRAFTS, JSON.stringify(drafts));
  }

  function draftKey(household) {
    return campaign + ":" + household;
  }

  // snapshot reads everything typed at a door: the note, whether the
  // persons' form is open, and each person's fields in the form's order.
  function snapshot(door) {
    var snap = { note: door.querySelector("[name=note]").value, open: !door.querySelector("form.screen").hidden, persons: [] };
    door.querySelectorAll("fieldset.person").forEach(function (fs) {
      var values = {};
      fs.querySelectorAll("input, select").forEach(function (el) {
        values[el.name] = el.type === "checkbox" ? el.checked : el.value;
      });
      snap.persons.push(values);
    });
    return snap;
  }

  // restore puts a snapshot back into its door.
  function restore(door, snap) {
    door.querySelector("[name=note]").value = snap.note || "";
    var sets = door.querySelectorAll("fieldset.person");
    (snap.persons || []).forEach(function (values, i) {
      if (!sets[i]) {
        return;
      }
      Object.keys(values).forEach(function (name) {
        var el = sets[i].querySelector("[name=" + name + "]");
        if (el && el.type === "checkbox") {
          el.checked = !!values[name];
        } else if (el) {
          el.value = values[name];
        }
      });
    });
    door.querySelector("form.screen").hidden = !snap.open;
  }

  function keepDraft(door) {
    var drafts = loadDrafts();
    var key = draftKey(door.getAttribute("data-household"));
    var d = drafts[key] || {};
    d.snap = snapshot(door);
    drafts[key] = d;
    saveDrafts(drafts);
  }

  function dropDraft(household) {
    var drafts = loadDrafts();
    delete drafts[draftKey(household)];
    saveDrafts(drafts);
  }

  // inputOf names the input a refused field is typed in; the sex and
  // birth date of a new person come from their ID number.
  var inputOf = { name: "name", id_number: "id_number", sex: "id_number", birth_date: "id_number", id_type: "id_number",
    phone: "phone", health: "health", "travel.area": "area", "travel.area_code": "area", "travel.arrived_on": "arrived",
    "travel.detail": "means" };

  function clearErrors(door) {
    door.querySelectorAll(".error[data-draft-error]").forEach(function (el) { el.remove(); });
    door.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  // showError marks a refusal in the door: at the field of the person it
  // names, or at the note, or on the door, in the page's language.
  function showError(door, e) {
    clearErrors(door);
    var line = document.createElement("p");
    line.className = "error";
    line.setAttribute("data-draft-error", "");
    line.setAttribute("role", "alert");
    line.setAttribute("data-testid", "draft-error");
    line.textContent = text[e.code + "." + e.field] || text["error." + e.code] || text["error.internal"];
    var sets = door.querySelectorAll("fieldset.person");
    var fs = e.fieldset >= 0 ? sets[e.fieldset] : null;
    var input = fs && inputOf[e.field] ? fs.querySelector("[name=" + inputOf[e.field] + "]") : null;
    if (!fs && e.field === "note") {
      input = door.querySelector("[name=note]");
    }
    if (input) {
      input.setAttribute("aria-invalid", "true");
      var label = input.closest("label") || input;
      label.parentNode.insertBefore(line, label.nextSibling);
    } else if (fs) {
      fs.insertBefore(line, fs.querySelector("legend").nextSibling);
    } else {
      door.querySelector(".state").after(line);
    }
    if (fs) {
      door.querySelector("form.screen").hidden = false;
    }
    markDoor(door.getAttribute("data-household"), msg("failed"), "returned");
    door.setAttribute("data-draft", "refused");
  }

  function enqueue(body, label, door, fieldsets) {
    body.client_id = uuid();
    body.visited_at = new Date().toISOString();
    var queue = load();
    // The snapshot travels with the submission: a refusal brings it back.
    queue.push({ campaign: campaign, body: body, label: label, snap: snapshot(door), fieldsets: fieldsets || [] });
    save(queue);
    dropDraft(body.household_id);
    clearErrors(door);
    door.removeAttribute("data-draft");
    markDoor(body.household_id, label + " · " + msg("queued"), "queued");
    flush();
  }

  // refused brings a submission the server refused back as its door's
  // draft, with the field it named.
  function refused(item, err) {
    var e = { code: err.code || "invalid", field: err.field || "", fieldset: -1 };
    if (err.item > 0 && item.fieldsets[err.item - 1] !== undefined) {
      e.fieldset = item.fieldsets[err.item - 1];
    }
    var drafts = loadDrafts();
    drafts[draftKey(item.body.household_id)] = { snap: item.snap, error: e };
    saveDrafts(drafts);
    var door = document.getElementById("door-" + item.body.household_id);
    if (door && item.campaign === campaign) {
      restore(door, item.snap || {});
      showError(door, e);
    }
    errorLine.hidden = false;
    errorLine.textContent = text["draft.refused"];
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
          // Out of the queue, so one bad entry cannot block the rest, and
          // back on the page as a draft to correct and send again.
          save(rest);
          refused(item, data.error || { code: "invalid" });
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
    enqueue({ household_id: household, outcome: outcome, note: note.value.trim() }, btn.textContent, door);
  });

  root.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form.screen");
    if (!form) {
      return;
    }
    ev.preventDefault();
    var door = form.closest(".door");
    var persons = [], fieldsets = [];
    form.querySelectorAll("fieldset.person").forEach(function (fs, i) {
      var p = personOf(fs);
      if (p) {
        persons.push(p);
        fieldsets.push(i);
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
      note: door.querySelector("[name=note]").value.trim(), persons: persons }, label, door, fieldsets);
    form.hidden = true;
  });

  // Every keystroke at a door is kept on the phone, so a reload, a flat
  // battery or a refusal loses nothing.
  function typed(ev) {
    var door = ev.target.closest && ev.target.closest(".door");
    if (door && ev.target.name) {
      keepDraft(door);
    }
  }
  root.addEventListener("input", typed);
  root.addEventListener("change", typed);

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
  var drafts = loadDrafts(), kept = false;
  Object.keys(drafts).forEach(function (key) {
    var door = key.indexOf(campaign + ":") === 0 && document.getElementById("door-" + key.slice(campaign.length + 1));
    if (!door) {
      return;
    }
    restore(door, drafts[key].snap || {});
    if (drafts[key].error) {
      showError(door, drafts[key].error);
    }
    kept = true;
  });
  if (kept) {
    errorLine.hidden = false;
    errorLine.textContent = text["draft.kept"];
  }
  flush();
})();
