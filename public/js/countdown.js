// Live countdowns. Every element with data-due (ISO time) shows the time left: amber (cd-warn) from
// the first of its warning points (data-warn: comma-separated ISO times the server computed from
// the clock's own time limit), red (cd-breach) once the deadline has passed. The page's
// data-server-now (the server's time when it rendered) corrects for a client clock that is off.
// Elements with a data-state other than running/breached (met, cancelled) are left as rendered.
(function () {
  'use strict';
  var skew = 0;
  var serverNow = Date.parse(document.body.getAttribute('data-server-now') || '');
  if (!isNaN(serverNow)) skew = serverNow - Date.now();

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }
  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400);
    var text =
      pad(Math.floor((s % 86400) / 3600)) + ':' + pad(Math.floor((s % 3600) / 60)) + ':' + pad(s % 60);
    return d > 0 ? d + ' 天 ' + text : text;
  }
  function firstWarning(el) {
    var first = Infinity;
    var points = (el.getAttribute('data-warn') || '').split(',');
    for (var i = 0; i < points.length; i++) {
      var t = Date.parse(points[i]);
      if (t < first) first = t;
    }
    return first;
  }
  function tick() {
    var now = Date.now() + skew;
    var els = document.querySelectorAll('[data-due]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var state = el.getAttribute('data-state') || 'running';
      if (state !== 'running' && state !== 'breached') continue;
      var due = Date.parse(el.getAttribute('data-due'));
      if (isNaN(due)) continue;
      var left = due - now;
      el.classList.toggle('cd-breach', left <= 0);
      el.classList.toggle('cd-warn', left > 0 && now >= firstWarning(el));
      el.classList.toggle('cd-ok', left > 0 && now < firstWarning(el));
      el.textContent = (left > 0 ? '剩余 ' : '已超时 ') + format(left);
    }
  }
  window.gopCountdownTick = tick;
  tick();
  setInterval(tick, 1000);
})();
