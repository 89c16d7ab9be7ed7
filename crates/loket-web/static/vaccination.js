// The vaccination centre's pages: the waiting room refreshes itself, the
// observation room counts down, the dashboard follows its event stream.
(function () {
  "use strict";

  // The waiting room: reload after the given number of seconds.
  var room = document.getElementById("waiting-room");
  if (room) {
    var secs = parseInt(room.getAttribute("data-refresh"), 10) || 15;
    setTimeout(function () { window.location.reload(); }, secs * 1000);
  }

  // The observation room: count down every second, reload the list every
  // 10 seconds (new people, people who left).
  var obs = document.getElementById("observation");
  if (obs) {
    var leave = obs.getAttribute("data-leave");
    var tick = function () {
      var now = Date.now();
      var cells = obs.querySelectorAll("[data-end]");
      for (var i = 0; i < cells.length; i++) {
        var end = parseInt(cells[i].getAttribute("data-end"), 10);
        var left = Math.max(0, Math.ceil((end - now) / 1000));
        if (left === 0) {
          cells[i].textContent = leave;
          cells[i].parentNode.className = "may-leave";
        } else {
          var s = left % 60;
          cells[i].textContent = Math.floor(left / 60) + ":" + (s < 10 ? "0" : "") + s;
        }
      }
    };
    tick();
    setInterval(tick, 1000);
    setTimeout(function () { window.location.reload(); }, 10000);
  }

  // The dashboard: replace the figures on every event.
  var dash = document.getElementById("dashboard");
  if (dash && window.EventSource) {
    var status = document.getElementById("live-status");
    var set = function (id, v) {
      var el = document.getElementById(id);
      if (el && el.textContent !== String(v)) { el.textContent = v; }
    };
    var src = new EventSource(dash.getAttribute("data-events"));
    src.addEventListener("figures", function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      ["booked", "arrived", "not_booked", "vaccinated", "no_shows", "wasted"].forEach(function (k) {
        set("fig-" + k, f[k]);
      });
      (f.stages || []).forEach(function (p) { set("stage-" + p[0], p[1]); });
      (f.avg_wait_seconds || []).forEach(function (p) { set("wait-" + p[0], p[1]); });
      (f.per_line || []).forEach(function (p) { set("line-" + p[0], p[1]); });
      dash.setAttribute("data-version", e.lastEventId || "");
    });
    src.onerror = function () { if (status) { status.setAttribute("data-state", "reconnecting"); } };
    src.onopen = function () { if (status) { status.setAttribute("data-state", "live"); } };
  }
})();
