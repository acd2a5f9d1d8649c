// 确认 in the workspace's clock-warning banner: acknowledges through the JSON API with the
// page's CSRF token (same-origin cookie) and drops the entry, so the page need not reload. The
// forms post to /workspace/alerts/:id/ack when this script does not run.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-ack]');

  function drop(item) {
    var list = item.parentNode;
    list.removeChild(item);
    if (list.children.length) return;
    var banner = list.closest('.clock-banner');
    if (banner) banner.parentNode.removeChild(banner);
  }

  function onSubmit(ev) {
    ev.preventDefault();
    var form = ev.currentTarget;
    var button = form.querySelector('button');
    var status = form.querySelector('.ack-status');
    button.disabled = true;
    if (status) status.textContent = '';
    window
      .gopApi(form.getAttribute('data-ack'), { method: 'POST' })
      .then(function () {
        drop(form.closest('li'));
      })
      .catch(function (err) {
        button.disabled = false;
        if (status) status.textContent = err.message || '确认失败，请重试';
      });
  }

  for (var i = 0; i < forms.length; i++) forms[i].addEventListener('submit', onSubmit);
})();
