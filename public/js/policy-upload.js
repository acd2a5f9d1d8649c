// Attachment upload: multipart forms cannot carry the CSRF token in a parsed body, so the file
// is sent with fetch and the token from <meta name="csrf-token"> in a header.
(function () {
  'use strict';
  window.gopForms('form[data-upload]', {
    status: '.upload-status',
    busy: '正在上传…',
    failed: '上传失败',
    send: function (form) {
      return window.gopApi(form.getAttribute('data-upload'), {
        method: 'POST',
        body: new window.FormData(form),
      });
    },
    done: function () {
      window.location.reload();
    },
  });
})();
