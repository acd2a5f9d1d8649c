// Live countdowns for interpretation deadlines: every element with data-due (ISO time) shows the
// time left, turns amber under 24 hours and red once the deadline has passed. data-now (the
// server's time when the page was rendered) corrects for a client clock that is off.
(function () {
  'use strict';
  var DAY = 86400000;
  var nodes = document.querySelectorAll('[data-due]');
  if (!nodes.length) return;

  var skew = 0;
  var first = document.querySelector('[data-now]');
  if (first) {
    var serverNow = Date.parse(first.getAttribute('data-now'));
    if (!isNaN(serverNow)) skew = serverNow - Date.now();
  }

  function span(ms) {
    var s = Math.floor(ms / 1000);
    var d = Math.floor(s / 86400);
    var h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    if (d > 0) return d + '天' + h + '小时' + m + '分';
    if (h > 0) return h + '小时' + m + '分';
    return m + '分' + sec + '秒';
  }

  function tick() {
    var now = Date.now() + skew;
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var due = Date.parse(el.getAttribute('data-due'));
      if (isNaN(due)) continue;
      var left = due - now;
      el.classList.toggle('red', left <= 0);
      el.classList.toggle('amber', left > 0 && left < DAY);
      el.textContent = left > 0 ? '剩余 ' + span(left) : '已超时 ' + span(-left);
      el.setAttribute('title', '期限 ' + el.getAttribute('data-due'));
    }
  }

  tick();
  setInterval(tick, 1000);
})();
