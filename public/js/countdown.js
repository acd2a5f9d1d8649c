// Live countdowns: every element with data-due shows the time left and turns amber once the
// first warning point (half the window) has passed and red at the breach.
(function () {
  'use strict';
  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }
  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400);
    var h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    var text = pad(h) + ':' + pad(m) + ':' + pad(s % 60);
    return d > 0 ? d + ' 天 ' + text : text;
  }
  function tick() {
    var now = Date.now();
    var els = document.querySelectorAll('[data-due]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var state = el.getAttribute('data-state') || 'running';
      if (state !== 'running' && state !== 'breached') continue;
      var due = Date.parse(el.getAttribute('data-due'));
      var start = Date.parse(el.getAttribute('data-start') || '') || due;
      var left = due - now;
      el.classList.remove('cd-ok', 'cd-warn', 'cd-breach');
      if (left <= 0) {
        el.textContent = '已超时 ' + format(left);
        el.classList.add('cd-breach');
      } else {
        el.textContent = '剩余 ' + format(left);
        var warnAt = start + (due - start) * 0.5;
        el.classList.add(now >= warnAt ? 'cd-warn' : 'cd-ok');
      }
    }
  }
  window.gopCountdownTick = tick;
  tick();
  setInterval(tick, 1000);
})();
