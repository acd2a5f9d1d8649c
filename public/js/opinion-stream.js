// Live item stream on /opinion: polls the JSON API for items newer than the last one shown.
(function () {
  'use strict';
  var table = document.getElementById('opinion-stream');
  if (!table) return;
  var body = table.querySelector('tbody');
  var status = document.getElementById('stream-status');
  var lastId = 0;
  var MAX_ROWS = 100;

  function cell(text) {
    var td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    return td;
  }

  function timeOf(iso) {
    return iso ? iso.slice(5, 16).replace('T', ' ') : '';
  }

  function row(item) {
    var tr = document.createElement('tr');
    tr.appendChild(cell(timeOf(item.publishedAt)));
    tr.appendChild(cell(item.channelLabel));
    tr.appendChild(cell(item.author));
    var text = (item.title ? item.title + '｜' : '') + item.content;
    tr.appendChild(cell(text.length > 120 ? text.slice(0, 120) + '…' : text));
    tr.appendChild(cell(item.status === 'pending' ? '分析中' : item.sentimentLabel || ''));
    tr.appendChild(cell((item.categories || []).join('、')));
    return tr;
  }

  function refreshStats() {
    return fetch('/api/opinion/stats', { credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (s) {
        if (!s) return;
        ['items', 'analysed', 'pending', 'events'].forEach(function (k) {
          var el = document.getElementById('stat-' + k);
          if (el) el.textContent = String(s[k]);
        });
      });
  }

  function poll() {
    fetch('/api/opinion/items?limit=50&after=' + lastId, { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        var items = data.items || [];
        for (var i = items.length - 1; i >= 0; i--) {
          body.insertBefore(row(items[i]), body.firstChild);
          if (items[i].id > lastId) lastId = items[i].id;
        }
        while (body.children.length > MAX_ROWS) body.removeChild(body.lastChild);
        if (status) status.textContent = '（每 3 秒刷新）';
        return refreshStats();
      })
      .catch(function () {
        if (status) status.textContent = '（连接中断，重试中）';
      });
  }

  poll();
  setInterval(poll, 3000);
})();
