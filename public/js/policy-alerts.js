// 确认 in the workspace's clock-warning banner: acknowledges through the JSON API with the
// page's CSRF token (same-origin cookie) and drops the entry, so the page need not reload. The
// forms post to /workspace/alerts/:id/ack when this script does not run.
(function () {
  'use strict';
  function drop(item) {
    var list = item.parentNode;
    list.removeChild(item);
    if (list.children.length) return;
    var banner = list.closest('.clock-banner');
    if (banner) banner.parentNode.removeChild(banner);
  }

  window.gopForms('form[data-ack]', {
    status: '.ack-status',
    busy: '',
    failed: '确认失败，请重试',
    send: function (form) {
      return window.gopApi(form.getAttribute('data-ack'), { method: 'POST' });
    },
    done: function (_result, form) {
      drop(form.closest('li'));
    },
  });
})();
