// 值班台: unacknowledged alerts (critical first) with 确认, running clocks with live countdowns.
// Every (re)connection asks the server for alerts after the last one seen (auth.lastAlertId) and
// also resyncs by REST, so a disconnect or a server restart neither loses nor duplicates an alert.
(function () {
  'use strict';
  var root = document.getElementById('console');
  if (!root) return;
  var departments = JSON.parse(root.getAttribute('data-departments') || '{}');
  var alerts = new Map();
  var clocks = [];
  var lastAlertId = Number(sessionStorage.getItem('gop.lastAlertId') || 0);
  var soundOn = false;
  var el = function (id) {
    return document.getElementById(id);
  };

  function setConn(kind, text) {
    var c = el('conn');
    c.className = 'conn conn-' + kind;
    c.textContent = text;
  }
  function remember(id) {
    if (id > lastAlertId) {
      lastAlertId = id;
      sessionStorage.setItem('gop.lastAlertId', String(id));
    }
  }
  var fmt = window.gopTime;
  /** A link to the event or document when there is one, else plain text. */
  function subjectLink(text, href, cls) {
    var node = document.createElement(href ? 'a' : 'span');
    if (href) node.href = href;
    node.className = cls;
    node.textContent = text;
    return node;
  }
  // A deadline ending at midnight reads as 24:00 of its last day (src/shared/time.ts formatDeadline).
  function fmtDeadline(iso) {
    if (!iso) return '';
    var parts = {};
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Shanghai',
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(Date.parse(iso) - (isMidnight(iso) ? 1000 : 0)))
      .forEach(function (p) {
        parts[p.type] = p.value;
      });
    var time = isMidnight(iso) ? '24:00' : parts.hour + ':' + parts.minute;
    return parts.month + '月' + parts.day + '日 ' + time;
  }
  function isMidnight(iso) {
    var t = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Shanghai',
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).format(new Date(iso));
    return t === '00:00:00';
  }
  var api = window.gopApi;

  function visible(a) {
    var dept = el('filter-dept') ? el('filter-dept').value : '';
    var type = el('filter-type').value;
    if (dept && String(a.departmentId) !== dept) return false;
    if (type && a.type !== type) return false;
    return true;
  }

  function renderAlerts() {
    var list = Array.from(alerts.values()).filter(visible);
    list.sort(function (a, b) {
      var ca = a.severity === 'critical' ? 0 : 1;
      var cb = b.severity === 'critical' ? 0 : 1;
      return ca - cb || b.id - a.id;
    });
    var ul = el('alerts');
    // The list is rebuilt: remember which alert's button had the keyboard focus, so focus stays
    // in the list (on the same alert, or the one that took an acknowledged alert's place).
    var active = document.activeElement;
    var focusedLi = active && ul.contains(active) ? active.closest('li[data-alert-id]') : null;
    var focusedId = focusedLi ? Number(focusedLi.getAttribute('data-alert-id')) : null;
    var focusedIndex = focusedLi ? Array.prototype.indexOf.call(ul.children, focusedLi) : -1;
    ul.textContent = '';
    list.forEach(function (a) {
      var li = document.createElement('li');
      li.className = 'alert sev-' + a.severity;
      li.setAttribute('data-alert-id', String(a.id));
      var head = document.createElement('div');
      head.className = 'alert-head';
      var badge = document.createElement('span');
      badge.className = 'badge sev-' + a.severity;
      badge.textContent = (a.severityLabel || a.severity) + ' · ' + (a.typeLabel || a.type);
      var title = subjectLink(a.title, a.href, 'alert-title');
      head.appendChild(badge);
      head.appendChild(title);
      var meta = document.createElement('div');
      meta.className = 'alert-meta muted';
      meta.textContent =
        fmt(a.createdAt) +
        (a.departmentId ? ' · ' + (departments[a.departmentId] || '单位 ' + a.departmentId) : ' · 全局') +
        (a.dueAt ? ' · 期限 ' + fmtDeadline(a.dueAt) : '') +
        (a.data && a.data.escalatedToLabel ? ' · 升级至 ' + a.data.escalatedToLabel : '') +
        (a.data && a.data.onDuty && a.data.onDuty.length
          ? ' · 值班：' +
            a.data.onDuty
              .map(function (u) {
                return u.name;
              })
              .join('、')
          : '');
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'primary ack';
      btn.textContent = '确认';
      // Every button says which alert it acknowledges: a screen reader's list of buttons would
      // otherwise read "确认" a dozen times.
      btn.setAttribute('aria-label', '确认：' + a.title);
      btn.addEventListener('click', function () {
        ack(a.id, btn);
      });
      li.appendChild(head);
      li.appendChild(meta);
      li.appendChild(btn);
      ul.appendChild(li);
    });
    el('alert-count').textContent = String(list.length);
    el('alerts-empty').style.display = list.length ? 'none' : '';
    if (focusedLi) {
      var same = ul.querySelector('li[data-alert-id="' + focusedId + '"] button.ack');
      var buttons = ul.querySelectorAll('button.ack');
      var next = same || buttons[Math.min(focusedIndex, buttons.length - 1)];
      if (next) next.focus();
      else ul.focus();
    }
  }

  function renderClocks() {
    var tb = el('clocks');
    tb.textContent = '';
    var dept = el('filter-dept') ? el('filter-dept').value : '';
    var shown = clocks.filter(function (c) {
      return !dept || String(c.departmentId) === dept;
    });
    shown.forEach(function (c) {
      var tr = document.createElement('tr');
      tr.className = 'clock state-' + c.state;
      tr.setAttribute('data-clock-id', String(c.id));
      [
        c.kindLabel,
        c.title,
        c.departmentId ? departments[c.departmentId] || '' : '',
        fmtDeadline(c.dueAt),
      ].forEach(function (t, i) {
        var td = document.createElement('td');
        if (i === 1) td.appendChild(subjectLink(t, c.href, 'clock-title'));
        else {
          td.textContent = t;
          td.className = 'nowrap';
        }
        tr.appendChild(td);
      });
      var td = document.createElement('td');
      td.className = 'nowrap';
      var span = document.createElement('span');
      span.className = 'countdown';
      span.setAttribute('data-due', c.dueAt);
      span.setAttribute('data-warn', (c.warnAt || []).join(','));
      span.setAttribute('data-state', c.state);
      td.appendChild(span);
      tr.appendChild(td);
      tb.appendChild(tr);
    });
    el('clocks-empty').style.display = shown.length ? 'none' : '';
    if (window.gopCountdownTick) window.gopCountdownTick();
  }

  var clockTimer = null;
  function refreshClocks() {
    if (clockTimer) return;
    clockTimer = setTimeout(function () {
      clockTimer = null;
      api('/api/clocks?state=running&state=breached&limit=300')
        .then(function (body) {
          clocks = body.clocks;
          renderClocks();
        })
        .catch(function () {});
    }, 150);
  }

  function resync() {
    return api('/api/alerts?acked=false&resolved=false&limit=500')
      .then(function (body) {
        alerts = new Map();
        body.alerts.forEach(function (a) {
          alerts.set(a.id, a);
          remember(a.id);
        });
        renderAlerts();
        refreshClocks();
      })
      .catch(function () {});
  }

  function beep() {
    if (!soundOn) return;
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var o = ctx.createOscillator();
      o.frequency.value = 880;
      o.connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.4);
    } catch {
      /* no audio device */
    }
  }
  function notify(a) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      new Notification('紧急预警', { body: a.title, tag: 'alert-' + a.id });
    } catch {
      /* notifications unavailable */
    }
  }

  function ack(id, btn) {
    // aria-disabled, not disabled: a disabled button drops the keyboard focus to <body>.
    if (btn.getAttribute('aria-disabled') === 'true') return;
    btn.setAttribute('aria-disabled', 'true');
    // Taken now: the server's own "acknowledged" push may remove the alert before our callback runs.
    var title = alerts.has(id) ? alerts.get(id).title : '';
    var done = function () {
      alerts.delete(id);
      renderAlerts();
      var said = el('ack-status');
      if (said) said.textContent = '已确认：' + title;
    };
    var fail = function (msg) {
      btn.removeAttribute('aria-disabled');
      btn.textContent = '确认失败，重试';
      btn.title = msg || '';
    };
    if (socket.connected) {
      // The page's CSRF token binds the acknowledgement to this page, as for HTTP calls.
      socket.timeout(5000).emit('alert:ack', { id: id, csrfToken: csrfToken }, function (err, res) {
        if (!err && res && res.ok) done();
        else fail(res && res.error);
      });
    } else {
      api('/api/alerts/' + id + '/ack', { method: 'POST' }).then(done, function (e) {
        fail(e.message);
      });
    }
  }

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var socket = io('/console', {
    transports: ['websocket', 'polling'],
    auth: function (cb) {
      cb({ lastAlertId: lastAlertId });
    },
  });
  socket.on('connect', function () {
    setConn('ok', '已连接 · 实时推送');
  });
  socket.on('ready', function () {
    resync();
  });
  socket.on('disconnect', function (reason) {
    setConn('down', '连接中断，正在重连…');
    // The server drops sockets whose authority changed (role, password, sign-out elsewhere);
    // Socket.IO does not retry those by itself. Reconnecting re-checks the session.
    if (reason === 'io server disconnect') {
      setTimeout(function () {
        socket.connect();
      }, 1000);
    }
  });
  socket.io.on('reconnect_attempt', function () {
    setConn('connecting', '正在重连…');
  });
  socket.on('connect_error', function (err) {
    setConn(
      'down',
      err && err.message === 'unauthorized' ? '未登录或会话已过期，请刷新页面' : '无法连接，正在重试…',
    );
  });
  socket.on('alert', function (a) {
    remember(a.id);
    if (a.type.indexOf('clock.') === 0 || a.type === 'event.escalated') refreshClocks();
    if (a.acked || a.resolved || alerts.has(a.id)) return;
    alerts.set(a.id, a);
    renderAlerts();
    if (a.severity === 'critical') {
      beep();
      notify(a);
    }
  });
  socket.on('alert:acked', function (msg) {
    if (alerts.delete(msg.id)) renderAlerts();
  });
  // The clock behind the alert was met, cancelled or moved: the matter is over.
  socket.on('alert:resolved', function (msg) {
    if (alerts.delete(msg.id)) renderAlerts();
    refreshClocks();
  });

  el('sound-toggle').addEventListener('click', function (e) {
    soundOn = !soundOn;
    e.target.textContent = soundOn ? '关闭提示音' : '开启提示音';
    if (soundOn) beep();
  });
  el('notify-toggle').addEventListener('click', function (e) {
    if (!('Notification' in window)) {
      e.target.textContent = '浏览器不支持通知';
      return;
    }
    Notification.requestPermission().then(function (p) {
      e.target.textContent = p === 'granted' ? '桌面通知已开启' : '桌面通知未授权';
    });
  });
  ['filter-dept', 'filter-type'].forEach(function (id) {
    if (el(id))
      el(id).addEventListener('change', function () {
        renderAlerts();
        renderClocks();
      });
  });
  // A slow safety net: even a silent socket cannot leave the page stale for long.
  setInterval(resync, 60000);
  resync();
})();
