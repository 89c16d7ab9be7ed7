// The mobile teams' page: records go to IndexedDB first (an outbox), the
// page shows them at once, and the outbox is sent whenever the connection
// is there. Each record carries its own id (made on this device), so a
// batch sent twice, or cut off half-way, is stored once on the server.
(function () {
  "use strict";
  var root = document.getElementById("mobile");
  if (!root || !window.indexedDB || !window.fetch) { return; }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/mobile/sw.js", { scope: "/mobile/" }).catch(function () {});
  }
  var csrf = root.getAttribute("data-csrf");
  var team = root.getAttribute("data-team");
  var statusEl = document.getElementById("sync-status");
  var text = function (k) { return root.getAttribute("data-" + k) || k; };

  var dbp = new Promise(function (resolve, reject) {
    var open = indexedDB.open("loket-mobile", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { keyPath: "client_id" }); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
  var tx = function (mode, fn) {
    return dbp.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("outbox", mode);
        var out = fn(t.objectStore("outbox"));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  };
  var all = function () { return tx("readonly", function (s) { return s.getAll(); }); };
  var uuid = function () {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  };

  var show = function () {
    return all().then(function (list) {
      var pending = list.length;
      statusEl.textContent = (navigator.onLine ? text("online") : text("offline")) +
        (pending ? " · " + pending + " " + text("pending") : "");
      root.setAttribute("data-pending-count", String(pending));
      list.forEach(function (r) {
        var li = document.getElementById("visit-" + r.visit);
        if (li) { li.querySelector(".visit-status").textContent = text("pending"); li.setAttribute("data-local", r.kind); }
      });
    });
  };

  var sending = false;
  var send = function () {
    if (sending || !navigator.onLine) { return show(); }
    sending = true;
    return all().then(function (list) {
      if (!list.length) { return null; }
      return fetch("/mobile/vaccination/sync", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ team: team, records: list.map(function (r) {
          return { client_id: r.client_id, visit: r.visit, kind: r.kind, recorded_at: r.recorded_at, lot: r.lot || null };
        }) })
      }).then(function (res) {
        if (!res.ok) { throw new Error("sync " + res.status); }
        return res.json();
      }).then(function (body) {
        return tx("readwrite", function (s) {
          body.results.forEach(function (r) { s.delete(r.client_id); });
        }).then(function () {
          body.results.forEach(function (r) {
            var rec = list.filter(function (x) { return x.client_id === r.client_id; })[0];
            var li = rec && document.getElementById("visit-" + rec.visit);
            if (li) {
              li.querySelector(".visit-status").textContent = r.outcome === "conflict" ? text("conflict") : text("synced");
              li.setAttribute("data-synced", rec.kind);
            }
          });
        });
      });
    }).catch(function () { /* kept in the outbox; tried again later */ })
      .then(function () { sending = false; return show(); });
  };

  var forms = root.querySelectorAll("form.record");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = ev.target;
      var lot = f.querySelector("[name=lot]");
      if (lot && !lot.value.trim()) { lot.focus(); return; }
      var rec = {
        client_id: uuid(),
        visit: f.querySelector("[name=visit]").value,
        kind: f.querySelector("[name=kind]").value,
        recorded_at: Date.now(),
        lot: lot ? lot.value.trim() : null
      };
      tx("readwrite", function (s) { s.put(rec); }).then(show).then(send);
    });
  }
  window.addEventListener("online", send);
  window.addEventListener("offline", show);
  setInterval(send, 15000);
  show().then(send);
})();
