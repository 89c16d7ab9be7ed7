// Loket queue screens: follow the location's Server-Sent Events stream and
// update the waiting-room display or the door display; keep the clock
// going; on a new call chime when the sound is on and speak the call (the
// browser's speech synthesis, Dutch or English) when chosen. Both can be
// preset for an unattended screen with ?sound=1&speak=nl (the browser must
// then allow audio without a click). Says so when the stream is lost, and
// falls back to polling the JSON state. No HTML is built from data: text
// only.
(function () {
  "use strict";
  var root = document.querySelector("[data-queue]");
  if (!root) { return; }
  var mode = root.getAttribute("data-mode");
  var seen = {};
  var first = true;
  var soundOn = false;
  var audio = null;
  var status = document.getElementById("connection");
  var live = document.getElementById("announce");

  function key(c) { return c.number + "|" + c.called_at + "|" + c.recalls; }

  function chime() {
    if (!soundOn) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (at, i) {
        var o = audio.createOscillator();
        var g = audio.createGain();
        o.frequency.value = i === 0 ? 880 : 660;
        g.gain.setValueAtTime(0.0001, audio.currentTime + at);
        g.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + at + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + at + 0.3);
        o.connect(g); g.connect(audio.destination);
        o.start(audio.currentTime + at); o.stop(audio.currentTime + at + 0.32);
      });
    } catch (e) { /* no audio on this screen */ }
  }

  function text(el, s) { if (el) { el.textContent = s; } }

  var params = new URLSearchParams(window.location.search);
  function stored(name) { try { return window.localStorage.getItem("loket-" + name); } catch (e) { return null; } }
  function store(name, v) { try { window.localStorage.setItem("loket-" + name, v); } catch (e) { /* private mode */ } }
  var speakLang = params.get("speak") || stored("speak") || "";
  if (speakLang !== "nl" && speakLang !== "en") { speakLang = ""; }
  soundOn = (params.get("sound") || stored("sound")) === "1";

  // "A012" is spoken "A 12": the letters one by one, then the number.
  function spoken(number) {
    var m = /^([A-Za-z]*)0*(\d+)$/.exec(number);
    return m ? (m[1].split("").join(" ") + " " + m[2]).trim() : number;
  }

  function speak(calls) {
    if (!speakLang || !window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    var pattern = root.getAttribute("data-say-" + speakLang) || "";
    calls.slice().reverse().forEach(function (c) {
      var u = new SpeechSynthesisUtterance(
        pattern.replace("{number}", spoken(c.number)).replace("{desk}", c.desk));
      u.lang = speakLang === "nl" ? "nl-BE" : "en-GB";
      u.rate = 0.9;
      window.speechSynthesis.speak(u);
    });
  }

  var clock = document.getElementById("clock");
  if (clock && window.Intl) {
    var fmt = new Intl.DateTimeFormat("nl-BE", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Europe/Brussels" });
    var tickClock = function () { text(clock, fmt.format(new Date())); };
    tickClock();
    setInterval(tickClock, 1000);
  }

  function renderDisplay(s) {
    var list = document.getElementById("called");
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var fresh = [];
    var shown = parseInt(root.getAttribute("data-calls") || "8", 10);
    s.called.slice(0, shown).forEach(function (c, i) {
      var li = document.createElement("li");
      if (i === 0) { li.className = seen[key(c)] || first ? "latest" : "latest fresh"; }
      var n = document.createElement("span"); n.className = "number"; n.textContent = c.number;
      var arrow = document.createElement("span"); arrow.className = "arrow"; arrow.setAttribute("aria-hidden", "true"); arrow.textContent = "→";
      var d = document.createElement("span"); d.className = "desk"; d.textContent = root.getAttribute("data-desk-label") + " " + c.desk;
      var t = document.createElement("span"); t.className = "at"; t.textContent = c.at;
      li.appendChild(n); li.appendChild(arrow); li.appendChild(d); li.appendChild(t);
      list.appendChild(li);
      if (!seen[key(c)]) { fresh.push(c); seen[key(c)] = true; }
    });
    var none = document.getElementById("none");
    if (none) { none.hidden = s.called.length > 0; }
    text(document.getElementById("waiting"), String(s.waiting));
    if (!first && fresh.length) {
      chime();
      setTimeout(function () { speak(fresh); }, soundOn ? 800 : 0);
      text(live, fresh.map(function (c) {
        return c.number + " " + root.getAttribute("data-desk-label") + " " + c.desk;
      }).join(", "));
    }
  }

  function renderDoor(s) {
    var sign = document.getElementById("door-sign");
    if (sign) {
      sign.className = "door-sign " + (s.open ? "open" : "full");
      text(document.getElementById("door-word"),
        root.getAttribute(s.open ? "data-open-label" : "data-full-label"));
    }
    text(document.getElementById("present"), String(s.present));
    text(document.getElementById("max"), String(s.max_present));
  }

  function apply(s) {
    if (mode === "door") { renderDoor(s); } else { renderDisplay(s); }
    first = false;
    if (status) { status.hidden = true; }
  }

  function offline() { if (status) { status.hidden = false; } }

  var pollTimer = null;
  function poll() {
    if (pollTimer) { return; }
    var tick = function () {
      var x = new XMLHttpRequest();
      x.open("GET", root.getAttribute("data-state"));
      x.onload = function () {
        if (x.status === 200) { try { apply(JSON.parse(x.responseText)); } catch (e) { offline(); } } else { offline(); }
      };
      x.onerror = offline;
      x.send();
    };
    tick();
    pollTimer = setInterval(tick, 5000);
  }

  // The page came with the state: remember what is shown already.
  try { apply(JSON.parse(document.getElementById("initial").textContent)); } catch (e) { first = false; }

  if (window.EventSource) {
    var es = new EventSource(root.getAttribute("data-src"));
    es.addEventListener("queue", function (ev) {
      try { apply(JSON.parse(ev.data)); } catch (e) { /* ignore a broken event */ }
    });
    es.onerror = function () {
      offline();
      // EventSource reconnects by itself; if it gave up, poll instead.
      if (es.readyState === 2) { poll(); }
    };
  } else {
    poll();
  }

  var btn = document.getElementById("sound");
  if (btn) {
    btn.hidden = false;
    btn.setAttribute("aria-pressed", soundOn ? "true" : "false");
    btn.addEventListener("click", function () {
      soundOn = !soundOn;
      store("sound", soundOn ? "1" : "0");
      btn.setAttribute("aria-pressed", soundOn ? "true" : "false");
      if (soundOn) { chime(); }
    });
  }
  var choice = document.getElementById("speak");
  if (choice && window.speechSynthesis) {
    choice.hidden = false;
    document.getElementById("speak-label").hidden = false;
    choice.value = speakLang;
    choice.addEventListener("change", function () {
      speakLang = choice.value;
      store("speak", speakLang);
    });
  }
})();
