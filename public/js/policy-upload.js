// Attachment upload: multipart forms cannot carry the CSRF token in a parsed body, so the file
// is sent with fetch and the token from <meta name="csrf-token"> in a header.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute('content') : '';
  var forms = document.querySelectorAll('form[data-upload]');
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener('submit', function (ev) {
      ev.preventDefault();
      var form = ev.currentTarget;
      var status = form.querySelector('.upload-status');
      var button = form.querySelector('button');
      button.disabled = true;
      if (status) status.textContent = '正在上传…';
      fetch(form.getAttribute('data-upload'), {
        method: 'POST',
        headers: { 'x-csrf-token': token, accept: 'application/json' },
        body: new window.FormData(form),
        credentials: 'same-origin',
      })
        .then(function (res) {
          if (res.ok) {
            window.location.reload();
            return null;
          }
          return res.json().then(function (p) {
            throw new Error(p.detail || p.title || '上传失败');
          });
        })
        .catch(function (err) {
          if (status) status.textContent = err.message || '上传失败';
          button.disabled = false;
        });
    });
  }
})();
