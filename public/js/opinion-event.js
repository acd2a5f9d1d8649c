// Event detail: 确认 (→ triage in the response workflow) and 忽略 (dismiss), via the JSON API.
(function () {
  'use strict';
  var box = document.getElementById('event-actions');
  if (!box) return;
  var id = box.getAttribute('data-event-id');
  var status = document.getElementById('event-action-status');

  function post(path, body) {
    return window.gopApi('/api/opinion/events/' + encodeURIComponent(id) + '/' + path, {
      method: 'POST',
      body: body || {},
    });
  }

  // 确认: the clocks shown follow the chosen severity and emergency flag (SPEC §2.3).
  var form = document.getElementById('confirm-form');
  function showPlan() {
    var sev = form.elements.severity.value;
    var major = form.elements.emergency.checked && (sev === 'major' || sev === 'extraordinary');
    form.querySelectorAll('.clock-preview').forEach(function (ul) {
      ul.hidden = ul.getAttribute('data-plan') !== (major ? 'major' : 'normal');
    });
  }
  if (form) {
    form.addEventListener('change', showPlan);
    showPlan();
  }

  box.addEventListener('click', function (e) {
    var btn = e.target.closest('button[data-action]');
    if (!btn) return;
    btn.disabled = true;
    var done = post('dismiss', { reason: '研判为非舆情事件' }).then(function () {
      if (status) status.textContent = '已忽略';
    });
    done.catch(function (err) {
      btn.disabled = false;
      if (status) status.textContent = err.message;
    });
  });
})();
