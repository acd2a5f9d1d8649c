// Attachment upload: multipart forms cannot carry the CSRF token in a parsed body, so the file
// is sent with fetch and the token from <meta name="csrf-token"> in a header.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-upload]');
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener('submit', function (ev) {
      ev.preventDefault();
      var form = ev.currentTarget;
      var status = form.querySelector('.upload-status');
      var button = form.querySelector('button');
      button.disabled = true;
      if (status) status.textContent = '正在上传…';
      window
        .gopApi(form.getAttribute('data-upload'), { method: 'POST', body: new window.FormData(form) })
        .then(function () {
          window.location.reload();
        })
        .catch(function (err) {
          if (status) status.textContent = err.message || '上传失败';
          button.disabled = false;
        });
    });
  }
})();
