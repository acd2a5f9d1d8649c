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

  // Confirming accepts the pipeline's suggestion; the analyst can still change it in 研判.
  function triageBody(btn) {
    var body = { emergency: btn.getAttribute('data-emergency') === 'true' };
    var severity = btn.getAttribute('data-severity');
    if (severity) body.severity = severity;
    return body;
  }

  box.addEventListener('click', function (e) {
    var btn = e.target.closest('button[data-action]');
    if (!btn) return;
    var action = btn.getAttribute('data-action');
    btn.disabled = true;
    var done =
      action === 'confirm'
        ? post('triage', triageBody(btn)).then(function () {
            window.location.href = '/responses/events/' + encodeURIComponent(id);
          })
        : post('dismiss', { reason: '研判为非舆情事件' }).then(function () {
            if (status) status.textContent = '已忽略';
          });
    done.catch(function (err) {
      btn.disabled = false;
      if (status) status.textContent = err.message;
    });
  });
})();
