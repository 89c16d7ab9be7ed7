// The contact log form: article results while typing. Without this script
// the search button submits the form, which comes back with the results and
// everything typed kept. With it, the same request is made in the
// background (the form's own fields, CSRF token included) and only the
// results section is replaced. Nothing is saved: action=search only renders.
(function () {
  var form = document.getElementById('moment-form');
  var input = document.getElementById('q');
  var results = document.getElementById('article-results');
  if (!form || !input || !results || !window.fetch || !window.FormData || !window.DOMParser) return;
  var timer = null, seq = 0;
  function refresh() {
    var mine = ++seq;
    var data = new FormData(form);
    data.set('action', 'search');
    data.set('live', '1');
    // getAttribute: the buttons named "action" shadow form.action.
    fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      body: new URLSearchParams(data)
    })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== seq) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('article-results');
        if (fresh) results.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the search button still works */ });
  }
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  // Enter in the search box searches in place instead of posting.
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      refresh();
    }
  });
})();
