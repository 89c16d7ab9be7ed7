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
  function keptBox() {
    var kept = document.getElementById('article-kept');
    if (!kept) {
      kept = document.createElement('div');
      kept.id = 'article-kept';
      kept.className = 'checks';
      results.parentNode.insertBefore(kept, results.nextSibling);
    }
    return kept;
  }
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
        if (!fresh) return;
        // Articles ticked before or while the search ran stay ticked: again
        // in the new results, or kept below them when the new results lack
        // them (the search was sent before the tick).
        var ticked = [];
        results.querySelectorAll('input[name=pick]:checked').forEach(function (i) {
          ticked.push(i.closest('.check') || i);
        });
        results.innerHTML = fresh.innerHTML;
        ticked.forEach(function (row) {
          var box = row.tagName === 'INPUT' ? row : row.querySelector('input');
          var same = null;
          results.querySelectorAll('input[name=pick]').forEach(function (i) {
            if (i.value === box.value) same = i;
          });
          if (same) {
            same.checked = true;
          } else {
            keptBox().appendChild(row);
          }
        });
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
