// 人工研判: posts an analyst's correction of one item (sentiment, areas, 突发 signal) and reloads
// the page so every list shows the corrected labels.
(function () {
  'use strict';
  document.addEventListener('submit', function (e) {
    var form = e.target.closest('form.correction-form');
    if (!form) return;
    e.preventDefault();
    var box = form.closest('.correction');
    var id = box.getAttribute('data-item-id');
    var status = form.querySelector('.correction-status');
    var body = {};
    var sentiment = form.elements.sentiment.value;
    if (sentiment) body.sentiment = sentiment;
    if (form.elements.areasChanged.checked) {
      body.areas = [];
      form.querySelectorAll('input[name="areas"]:checked').forEach(function (c) {
        body.areas.push(c.value);
      });
    }
    var signal = form.elements.signal.value;
    if (signal) body.signal = signal === 'none' ? null : signal;
    var note = form.elements.note.value.trim();
    if (note) body.note = note;
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    window
      .gopApi('/api/opinion/items/' + encodeURIComponent(id) + '/correction', { method: 'POST', body: body })
      .then(function () {
        status.textContent = '已保存';
        window.location.reload();
      })
      .catch(function (err) {
        button.disabled = false;
        status.textContent = err.message;
      });
  });
})();
