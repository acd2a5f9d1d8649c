// 问责 forms on the clock lists: sent with fetch (multipart, optional file) and the CSRF header.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-accountability]');
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener('submit', function (ev) {
      ev.preventDefault();
      var form = ev.currentTarget;
      var status = form.querySelector('.form-status');
      var button = form.querySelector('button');
      button.disabled = true;
      status.textContent = '正在保存…';
      window
        .gopApi('/api/accountability', { method: 'POST', body: new window.FormData(form) })
        .then(function (r) {
          status.textContent = '已记录：' + r.decisionLabel;
          form.reset();
        })
        .catch(function (err) {
          status.textContent = err.message || '保存失败';
        })
        .then(function () {
          button.disabled = false;
        });
    });
  }
})();
