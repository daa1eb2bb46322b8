/* Classroom portal: progressive enhancement. Every page works without this script.
 *
 * - times marked data-local are re-rendered in the browser's own time zone (Intl);
 * - countdowns (data-countdown) tick every second;
 * - the attempt timer counts down from the server's deadline (the server decides; this only shows
 *   it), warns politely at 5 and 1 minutes, saves a last time 2-6 s before the deadline (a random
 *   moment per page, so a whole class's last saves do not reach the server in the same instant)
 *   and submits at zero;
 * - autosave: answers are posted as JSON on change and at least every 15 s while unsaved;
 * - every unsaved change is also kept on this device (localStorage, per attempt) until the server
 *   has it: when saving fails the page says so, and the changes are sent again, in order, when
 *   the connection returns or the page is opened again (the server's deadline still decides);
 *   a copy older than the server's answer, or of a submitted attempt, is discarded;
 * - enumeration answers get one input per item, with add and remove buttons.
 */
(function () {
  "use strict";

  var stringsEl = document.getElementById("portal-strings");
  var S = stringsEl ? JSON.parse(stringsEl.textContent) : {};
  var LANG = document.documentElement.lang || "en";
  var INTL_LANG = LANG === "en" ? "en-GB" : LANG;  // "Tue 24 Nov 2026, 18:00", as the server writes it
  var BROWSER_ZONE = (function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  })();

  function interpolate(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* ---- times ------------------------------------------------------------------------------ */
  var FORMATS = {
    datetime: { weekday: "short", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    date: { weekday: "short", year: "numeric", month: "short", day: "numeric" },
    time: { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
  };
  function formatTime(date, style, zone) {
    var options = Object.assign({}, FORMATS[style] || FORMATS.datetime);
    if (/^zh/i.test(LANG)) { delete options.weekday; }  // "2026年3月1日 09:00", as the server writes it
    if (zone) { options.timeZone = zone; }
    try { return new Intl.DateTimeFormat(INTL_LANG, options).format(date); } catch (e) { return date.toLocaleString(); }
  }

  function localiseTimes(root) {
    if (!BROWSER_ZONE) { return; }
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (!isNaN(date)) { el.textContent = formatTime(date, el.dataset.style, BROWSER_ZONE); }
    });
    root.querySelectorAll("[data-local-zone]").forEach(function (el) { el.textContent = BROWSER_ZONE; });
    root.querySelectorAll("[data-your-time]").forEach(function (el) {
      // Same zone as the class: the line would repeat the one above it.
      if (el.querySelector("[data-local-zone]") && el.dataset.classZone === BROWSER_ZONE) { el.hidden = true; }
    });
  }

  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var days = Math.floor(s / 86400);
    s %= 86400;
    var text = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    return days ? interpolate(S.days || "%(days)s d %(clock)s", { days: days, clock: text }) : text;
  }

  function startCountdowns() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-countdown]"));
    if (!els.length) { return; }
    var targets = els.map(function (el) { return new Date(el.dataset.countdown).getTime(); });
    function tick() {
      var now = Date.now();
      els.forEach(function (el, i) { if (!isNaN(targets[i])) { el.textContent = clock(targets[i] - now); } });
    }
    tick();
    setInterval(tick, 1000);
  }

  /* ---- polite announcements (only at the warnings and on save failures) --------------------- */
  var announcer = document.querySelector("[data-announce]");
  function announce(text) {
    if (!announcer) { return; }
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 60);
  }

  /* ---- enumeration: one input per item ------------------------------------------------------ */
  function enhanceEnumeration(box) {
    var textarea = box.querySelector("textarea");
    var fallback = box.querySelector(".enum-fallback");
    var hint = box.querySelector(".hint");
    if (!textarea || !fallback) { return; }
    var name = box.dataset.name;
    var caption = document.createElement("p");
    caption.className = "enum-caption";
    caption.id = name + "-caption";
    caption.textContent = S.your_list || "Your list";
    var list = document.createElement("ol");
    list.className = "enum-items";
    list.setAttribute("aria-labelledby", caption.id);
    var add = document.createElement("button");
    add.type = "button";
    add.className = "secondary small enum-add";
    add.textContent = "+ " + (S.add_item || "Add an item");

    function inputs() { return Array.prototype.slice.call(list.querySelectorAll("input")); }
    function sync() {
      textarea.value = inputs().map(function (i) { return i.value.trim(); }).filter(Boolean).join("\n");
    }
    function changed() {
      sync();
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function renumber() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        var n = i + 1;
        li.querySelector(".enum-no").textContent = n + ".";
        var input = li.querySelector("input");
        input.id = name + "-item-" + n;
        li.querySelector("label").setAttribute("for", input.id);
        li.querySelector("label").textContent = interpolate(S.item || "Item %(n)s", { n: n });
        li.querySelector("button").setAttribute("aria-label", interpolate(S.remove_item || "Remove item %(n)s", { n: n }));
      });
    }
    function addRow(value, after) {
      var li = document.createElement("li");
      var no = document.createElement("span");
      no.className = "enum-no";
      no.setAttribute("aria-hidden", "true");
      var label = document.createElement("label");
      label.className = "visually-hidden";
      var input = document.createElement("input");
      input.type = "text";
      input.value = value || "";
      input.autocomplete = "off";
      if (hint) { input.setAttribute("aria-describedby", hint.id); }
      input.addEventListener("input", sync);
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {  // Enter adds the next item instead of submitting the form
          event.preventDefault();
          addRow("", li).focus();
        }
      });
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary small";
      remove.textContent = S.remove || "Remove";
      remove.addEventListener("click", function () {
        var next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        if (!list.children.length) { addRow(""); }
        renumber();
        changed();
        (next && next.querySelector("input") || add).focus();
      });
      li.append(no, label, input, remove);
      if (after && after.nextSibling) { list.insertBefore(li, after.nextSibling); } else { list.appendChild(li); }
      renumber();
      return input;
    }

    var values = textarea.value.split("\n").map(function (v) { return v.trim(); }).filter(Boolean);
    var rows = Math.max(values.length, parseInt(box.dataset.min || "0", 10) || 0, 1);
    for (var i = 0; i < rows; i++) { addRow(values[i] || ""); }
    add.addEventListener("click", function () { addRow("").focus(); });
    fallback.hidden = true;
    box.append(caption, list, add);
  }

  /* ---- answers kept on this device ----------------------------------------------------------- */
  function LocalCopy(attemptId) {
    var key = "classroom:attempt:" + attemptId + ":unsaved";
    function read() {
      try { return JSON.parse(window.localStorage.getItem(key) || "null") || {}; } catch (e) { return {}; }
    }
    function write(answers) {
      try {
        if (Object.keys(answers).length) { window.localStorage.setItem(key, JSON.stringify(answers)); }
        else { window.localStorage.removeItem(key); }
        return true;
      } catch (e) { return false; }  // storage off or full: the page says "not saved" instead
    }
    this.available = write(read());
    /* Keep the latest unsaved value of a question, with its change number and (server) time. */
    this.keep = function (qid, value, seq, at) {
      var answers = read();
      answers[qid] = { value: value, seq: seq, at: at };
      this.available = write(answers);
    };
    /* The server has change `seq` of the question: forget it, unless a later change is pending. */
    this.saved = function (qid, seq) {
      var answers = read();
      if (answers[qid] && answers[qid].seq === seq) { delete answers[qid]; write(answers); }
    };
    /* The kept changes, oldest first. */
    this.entries = function () {
      var answers = read();
      return Object.keys(answers).map(function (qid) { return Object.assign({ qid: qid }, answers[qid]); })
        .sort(function (a, b) { return a.seq - b.seq; });
    };
    this.clear = function () { write({}); };
  }

  function setValue(box, value) {
    var name = "q-" + box.dataset.question;
    var kind = box.dataset.kind;
    if (kind === "single_choice" || kind === "true_false" || kind === "multiple_choice") {
      var wanted = [].concat(value === null || value === undefined ? [] : value).map(String);
      box.querySelectorAll('input[name="' + name + '"]').forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
      return;
    }
    var field = box.querySelector('[name="' + name + '"]');
    if (field) { field.value = kind === "enumeration" ? [].concat(value || []).join("\n") : (value === null ? "" : value); }
  }

  /* Put the changes kept on this device back into the form (before the list editor is built);
   * drop those the server already has a newer answer for. Returns the ones restored, oldest first. */
  function restoreLocal(form, copy) {
    var restored = [];
    copy.entries().forEach(function (entry) {
      var box = form.querySelector('[data-question="' + entry.qid + '"]');
      var savedAt = box && box.dataset.savedAt ? parseInt(box.dataset.savedAt, 10) * 1000 : 0;
      if (!box || entry.at <= savedAt) { copy.saved(entry.qid, entry.seq); return; }
      setValue(box, entry.value);
      restored.push(entry);
    });
    return restored;
  }

  /* ---- autosave -------------------------------------------------------------------------- */
  function Autosave(form, copy, restored, serverOffset) {
    var url = form.dataset.autosaveUrl;
    var token = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
    var status = document.querySelector("[data-save-status]");
    var dirty = {};            // question id -> change number (increasing across page loads)
    var counter = Date.now();
    var inFlight = null;
    var again = false;
    var timer = null;
    var retryDelay = 2000;
    var self = this;
    this.leaving = false;

    function fieldset(qid) { return form.querySelector('[data-question="' + qid + '"]'); }
    function collect(qid) {
      var box = fieldset(qid);
      var kind = box.dataset.kind;
      var name = "q-" + qid;
      if (kind === "single_choice" || kind === "true_false") {
        var checked = box.querySelector('input[name="' + name + '"]:checked');
        return checked ? checked.value : null;
      }
      if (kind === "multiple_choice") {
        return Array.prototype.map.call(box.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
      }
      var field = box.querySelector('[name="' + name + '"]');
      if (kind === "enumeration") {
        return field.value.split("\n").map(function (v) { return v.trim(); }).filter(Boolean);
      }
      return field.value;
    }
    function setStatus(text, state) {
      if (!status) { return; }
      status.textContent = text;
      status.className = "save-status" + (state ? " " + state : "");
    }
    function showError(qid, message) {
      var box = fieldset(qid);
      if (!box) { return; }
      var el = box.querySelector("[data-q-error]");
      el.textContent = message || "";
      el.hidden = !message;
      box.classList.toggle("has-error", !!message);
      box.querySelectorAll("input:not([type=radio]):not([type=checkbox]), textarea").forEach(function (f) {
        if (message) {
          f.setAttribute("aria-invalid", "true");
          var ids = (f.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
          if (ids.indexOf(el.id) < 0) { ids.push(el.id); f.setAttribute("aria-describedby", ids.join(" ")); }
        } else {
          f.removeAttribute("aria-invalid");
        }
      });
    }
    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(save, delay);
    }
    function payload(keys) {
      keys.sort(function (a, b) { return dirty[a] - dirty[b]; });  // in the order they were changed
      var answers = {};
      keys.forEach(function (qid) { answers[qid] = collect(qid); });
      return JSON.stringify({ answers: answers });
    }

    function save(options) {
      options = options || {};
      var keys = Object.keys(dirty);
      if (!keys.length) { return Promise.resolve(true); }
      if (inFlight) { again = true; return inFlight; }
      var sent = {};
      keys.forEach(function (k) { sent[k] = dirty[k]; });
      setStatus(S.saving || "Saving…", "saving");
      inFlight = fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!options.keepalive,
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
        body: payload(keys)
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
      }).then(function (result) {
        var body = result.body || {};
        if ((result.status === 200 && body.ok) || (result.status === 400 && body.saved)) {
          (body.saved || []).forEach(function (qid) {
            if (dirty[qid] === sent[qid]) { delete dirty[qid]; }
            copy.saved(qid, sent[qid]);
            showError(qid, "");
          });
          var errors = body.errors || {};
          Object.keys(errors).forEach(function (qid) {
            showError(qid, errors[qid]);
            if (dirty[qid] === sent[qid]) { delete dirty[qid]; }  // saving it again would fail the same way
            copy.saved(qid, sent[qid]);
          });
          if (Object.keys(errors).length) { announce(body.message); }
          retryDelay = 2000;
          var when = body.saved_at ? formatTime(new Date(body.saved_at), "time") : "";
          setStatus(interpolate(S.saved_at || "Saved at %(time)s", { time: when }), "saved");
          return true;
        }
        if (result.status === 409 && body.redirect) {  // submitted, or past the deadline: nothing to keep
          copy.clear();
          setStatus(body.message || "", "failed");
          announce(body.message || "");
          if (!self.leaving) { self.leaving = true; window.location.assign(body.redirect); }
          return false;
        }
        if (result.status === 400 || result.status === 401) {  // refused, or signed out: say why
          setStatus(body.message || S.not_saved, "failed");
          announce(body.message || S.not_saved);
          if (result.status === 401) { schedule(15000); }
          return false;
        }
        throw new Error("HTTP " + result.status);
      }).catch(function () {
        var text = copy.available ? S.kept_offline : navigator.onLine === false ? S.offline : S.not_saved;
        setStatus(text || "Not saved, retrying…", "failed");
        if (status && !status.dataset.failedAnnounced) { announce(text); status.dataset.failedAnnounced = "1"; }
        schedule(retryDelay);
        retryDelay = Math.min(retryDelay * 2, 15000);
        return false;
      }).then(function (ok) {
        inFlight = null;
        if (ok && status) { delete status.dataset.failedAnnounced; }
        if (again) { again = false; schedule(300); }
        return ok;
      });
      return inFlight;
    }
    this.save = save;
    this.flush = function (timeoutMs) {
      return Promise.race([save(), new Promise(function (resolve) { setTimeout(resolve, timeoutMs || 3000); })]);
    };
    this.hasUnsaved = function () { return Object.keys(dirty).length > 0; };

    function onEdit(event) {
      var box = event.target.closest && event.target.closest("[data-question]");
      if (!box) { return; }
      counter += 1;
      dirty[box.dataset.question] = counter;
      copy.keep(box.dataset.question, collect(box.dataset.question), counter, Date.now() + serverOffset);
      if (status && status.className.indexOf("failed") < 0) { setStatus(S.unsaved || "Unsaved changes", ""); }
      var typing = event.type === "input" && /^(text|number|textarea)$/.test(event.target.type || event.target.tagName.toLowerCase());
      schedule(typing ? 1200 : 250);
    }
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
    window.addEventListener("online", function () { save(); });
    restored.forEach(function (entry) { dirty[entry.qid] = entry.seq; });
    if (restored.length) {
      setStatus(S.restored || "", "saving");
      save();
    }
    form.addEventListener("submit", function () { self.leaving = true; dirty = {}; });
    setInterval(function () { if (!inFlight) { save(); } }, 15000);
    window.addEventListener("pagehide", function () {
      if (!self.leaving && Object.keys(dirty).length) { save({ keepalive: true }); }
    });
  }

  /* ---- the attempt timer ------------------------------------------------------------------- */
  function startTimer(bar, autosave) {
    var display = bar.querySelector("[data-timer-display]");
    var deadline = new Date(bar.dataset.deadline).getTime();
    var offset = new Date(bar.dataset.serverNow).getTime() - Date.now();  // server clock - browser clock
    var warned = 0;
    var flushed = false;
    var fired = false;
    // The last save: 2 s before the deadline at the latest, spread over the 4 s before that. A class
    // still typing at the deadline would otherwise send hundreds of saves in the same instant (the
    // exam-day benchmark: 200 at once took the autosave's p99 from under 100 ms to 1 s).
    var lastSaveAt = 2000 + Math.random() * 4000;

    function submitNow() {
      var form = document.querySelector("form[data-auto-submit]");
      if (!form) { window.location.reload(); return; }
      var done = autosave && form.dataset.autosaveUrl ? autosave.flush(2500) : Promise.resolve();
      done.then(function () {
        if (autosave && autosave.leaving && form.dataset.autosaveUrl) { return; }  // already redirected
        if (autosave) { autosave.leaving = true; }
        if (form.dataset.autosaveUrl) {
          var action = document.createElement("input");
          action.type = "hidden";
          action.name = "action";
          action.value = "submit";
          form.appendChild(action);
        }
        HTMLFormElement.prototype.submit.call(form);
      });
    }
    function tick() {
      var left = deadline - (Date.now() + offset);
      display.textContent = clock(left);
      if (left <= 60000 && warned !== 1 && left > 0) {
        warned = 1;
        bar.classList.remove("warn");
        bar.classList.add("danger");
        announce(S.warn1);
      } else if (left <= 300000 && left > 60000 && warned === 0) {
        warned = 5;
        bar.classList.add("warn");
        announce(S.warn5);
      }
      if (left <= lastSaveAt && !flushed && autosave) { flushed = true; autosave.save(); }  // last save before the deadline
      if (left <= 0 && !fired) {
        fired = true;
        announce(S.time_up);
        submitNow();
      }
    }
    tick();
    setInterval(tick, 250);
  }

  /* ---- start --------------------------------------------------------------------------------- */
  function init() {
    localiseTimes(document);
    startCountdowns();
    document.querySelectorAll("[data-attempt-closed]").forEach(function (el) {
      new LocalCopy(el.dataset.attemptClosed).clear();  // submitted: a copy left on this device is stale
    });
    var form = document.querySelector("form[data-autosave-url]");
    var bar = document.querySelector("[data-timer]");
    var serverOffset = bar ? new Date(bar.dataset.serverNow).getTime() - Date.now() : 0;
    var copy = form ? new LocalCopy(form.dataset.attempt) : null;
    var restored = form ? restoreLocal(form, copy) : [];
    document.querySelectorAll("[data-enum]").forEach(enhanceEnumeration);
    var autosave = form ? new Autosave(form, copy, restored, serverOffset) : null;
    if (bar) { startTimer(bar, autosave); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
