// Live /opinion: analysed items and event updates arrive over Socket.IO `/opinion` (the server
// puts each socket in the rooms its user may see). Only what matches the page's filters is shown.
// After a lost connection, items missed meanwhile are fetched once through gopApi.
(function () {
  'use strict';
  var live = document.getElementById('opinion-live');
  if (!live || typeof window.io !== 'function') return;
  var streamTable = document.getElementById('opinion-stream');
  var stream = streamTable ? streamTable.querySelector('tbody') : null;
  var events = document.querySelector('#opinion-events tbody');
  var status = document.getElementById('stream-status');
  var MAX_ROWS = 100;
  var f = {
    channel: live.getAttribute('data-channel') || '',
    sentiment: live.getAttribute('data-sentiment') || '',
    area: live.getAttribute('data-area') || '',
    from: live.getAttribute('data-from') || '',
    to: live.getAttribute('data-to') || '',
    q: (live.getAttribute('data-q') || '').toLowerCase(),
  };
  var firstPage = live.getAttribute('data-page') === '1';
  var lastId = 0;
  if (stream)
    stream.querySelectorAll('tr[data-item-id]').forEach(function (tr) {
      lastId = Math.max(lastId, Number(tr.getAttribute('data-item-id')));
    });

  var fmt = window.gopTime;
  function inRange(iso) {
    var day = fmt(iso).slice(0, 10);
    return (!f.from || day >= f.from) && (!f.to || day <= f.to);
  }
  function has(text) {
    return (
      String(text || '')
        .toLowerCase()
        .indexOf(f.q) >= 0
    );
  }

  function itemMatches(i) {
    return (
      (!f.channel || i.channel === f.channel) &&
      (!f.sentiment || i.sentiment === f.sentiment) &&
      (!f.area || (i.categories || []).indexOf(f.area) >= 0) &&
      inRange(i.publishedAt) &&
      (!f.q || has(i.title) || has(i.content))
    );
  }
  // As the server's event filter (src/opinion/service.ts eventPage): the predominant sentiment.
  function eventSentiment(e) {
    var neg = e.negativeCount || 0;
    var pos = e.positiveCount || 0;
    var neu = e.itemsCount - neg - pos;
    if (neg > 0 && neg >= pos && neg >= neu) return 'negative';
    if (pos > neg && pos >= neu) return 'positive';
    return 'neutral';
  }
  function eventMatches(e) {
    return (
      (!f.channel || (e.channels || []).indexOf(f.channel) >= 0) &&
      (!f.area || (e.categories || []).indexOf(f.area) >= 0) &&
      (!f.sentiment || eventSentiment(e) === f.sentiment) &&
      (!f.from || fmt(e.lastSeenAt || e.detectedAt).slice(0, 10) >= f.from) &&
      (!f.to || fmt(e.firstSeenAt || e.detectedAt).slice(0, 10) <= f.to) &&
      (!f.q || has(e.title) || has((e.keywords || []).join(' ')))
    );
  }

  function cell(text, cls) {
    var td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (cls) td.className = cls;
    return td;
  }
  function fresh(tr) {
    tr.className = 'live-new';
    setTimeout(function () {
      tr.className = '';
    }, 4000);
  }

  function showItem(i) {
    if (!stream || i.id <= 0) return;
    lastId = Math.max(lastId, i.id);
    if (!itemMatches(i) || stream.querySelector('tr[data-item-id="' + i.id + '"]')) return;
    var tr = document.createElement('tr');
    tr.setAttribute('data-item-id', String(i.id));
    tr.appendChild(cell(fmt(i.publishedAt), 'nowrap'));
    tr.appendChild(cell(i.channelLabel));
    tr.appendChild(cell(i.author));
    var td = document.createElement('td');
    var a = document.createElement('a');
    a.href = '/opinion/items/' + i.id;
    var text = (i.title ? i.title + '｜' : '') + i.content;
    a.textContent = text.length > 120 ? text.slice(0, 120) + '…' : text;
    td.appendChild(a);
    tr.appendChild(td);
    tr.appendChild(cell(i.sentimentLabel || '分析中'));
    tr.appendChild(cell((i.categories || []).join('、')));
    stream.insertBefore(tr, stream.firstChild);
    fresh(tr);
    while (stream.children.length > MAX_ROWS) stream.removeChild(stream.lastChild);
    statsSoon();
  }

  var TRENDS = { rising: ['↑', '上升'], flat: ['→', '平稳'], falling: ['↓', '回落'] };
  function setTrend(td, trend) {
    var t = TRENDS[trend] || TRENDS.flat;
    td.className = 'trend trend-' + trend;
    td.textContent = '';
    var arrow = document.createElement('span');
    arrow.setAttribute('aria-hidden', 'true');
    arrow.textContent = t[0];
    td.appendChild(arrow);
    td.appendChild(document.createTextNode(' ' + t[1]));
  }
  function showEvent(e) {
    if (!events) return;
    var tr = events.querySelector('tr[data-event-id="' + e.id + '"]');
    if (!tr) {
      if (!firstPage || !eventMatches(e)) return;
      var empty = events.querySelector('tr.empty');
      if (empty) empty.remove();
      tr = document.createElement('tr');
      tr.setAttribute('data-event-id', String(e.id));
      var td = document.createElement('td');
      var a = document.createElement('a');
      a.href = '/opinion/events/' + e.id;
      a.textContent = e.title;
      td.appendChild(a);
      tr.appendChild(td);
      tr.appendChild(cell((e.categories || []).join('、')));
      ['itemsCount', 'negativePercent', 'hotness'].forEach(function (k) {
        var c = cell('');
        c.setAttribute('data-field', k);
        tr.appendChild(c);
      });
      tr.appendChild(cell(''));
      var trend = cell('');
      trend.setAttribute('data-field', 'trend');
      tr.appendChild(trend);
      var st = cell('');
      st.setAttribute('data-field', 'status');
      tr.appendChild(st);
      tr.appendChild(cell(fmt(e.detectedAt), 'nowrap'));
      events.insertBefore(tr, events.firstChild);
    }
    var set = function (k, v) {
      var c = tr.querySelector('[data-field="' + k + '"]');
      if (c) c.textContent = String(v);
    };
    set('itemsCount', e.itemsCount);
    set('negativePercent', Math.round(e.negativeRatio * 100) + '%');
    set('hotness', e.hotness);
    set('status', e.statusLabel);
    var trendCell = tr.querySelector('[data-field="trend"]');
    if (trendCell) setTrend(trendCell, e.trend);
    fresh(tr);
  }

  var statsTimer = null;
  function statsSoon() {
    if (statsTimer) return;
    statsTimer = setTimeout(function () {
      statsTimer = null;
      window
        .gopApi('/api/opinion/stats')
        .then(function (s) {
          ['items', 'analysed', 'pending', 'events'].forEach(function (k) {
            var el = document.getElementById('stat-' + k);
            if (el) el.textContent = String(s[k]);
          });
        })
        .catch(function () {});
    }, 3000);
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  var socket = window.io('/opinion');
  var connectedOnce = false;
  socket.on('ready', function () {
    live.setAttribute('data-live', 'ready');
    say(stream ? '（实时推送已连接）' : '本部门相关事件的更新将实时显示在上表中（已连接）。');
    // Back after a lost connection: fetch what arrived meanwhile once, then continue live.
    if (connectedOnce && stream)
      window
        .gopApi('/api/opinion/items?limit=100&after=' + lastId)
        .then(function (data) {
          (data.items || [])
            .slice()
            .reverse()
            .forEach(function (i) {
              if (i.status !== 'pending') showItem(i);
            });
        })
        .catch(function () {});
    connectedOnce = true;
  });
  socket.on('item', showItem);
  socket.on('event', showEvent);
  socket.on('disconnect', function () {
    live.setAttribute('data-live', 'lost');
    say('（连接中断，正在重连…）');
  });
})();
