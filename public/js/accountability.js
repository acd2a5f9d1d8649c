// 问责 forms on the clock lists: sent with fetch (multipart, optional file) and the CSRF header.
(function () {
  'use strict';
  window.gopForms('form[data-accountability]', {
    status: '.form-status',
    busy: '正在保存…',
    failed: '保存失败',
    send: function (form) {
      return window.gopApi('/api/accountability', { method: 'POST', body: new window.FormData(form) });
    },
    done: function (r, form, status) {
      status.textContent = '已记录：' + r.decisionLabel;
      form.reset();
    },
  });
})();
