// The mobile teams' service worker (scope /mobile/): the page and its
// assets are kept, so the page opens without a connection. Pages are
// fetched from the network first and from the cache when offline.
var CACHE = "loket-mobile-v1";
var ASSETS = ["/mobile/vaccination.js", "/static/loket.css", "/static/theme.css"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  var keep = url.pathname.indexOf("/mobile/") === 0 || ASSETS.indexOf(url.pathname) >= 0;
  if (!keep) { return; }
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) {
      return hit || caches.match(req, { ignoreSearch: true }).then(function (h2) {
        return h2 || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    });
  }));
});
