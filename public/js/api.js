// The one way page scripts call the JSON API: same-origin cookie, the page's CSRF token, JSON or
// FormData bodies, and a problem+json answer turned into an Error carrying its Chinese detail.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  window.gopApi = function (path, opts) {
    opts = opts || {};
    var headers = { accept: 'application/json', 'x-csrf-token': csrf };
    var body = opts.body;
    if (body !== undefined && !(body instanceof window.FormData)) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(body);
    }
    return fetch(path, {
      method: opts.method || 'GET',
      headers: headers,
      body: body,
      credentials: 'same-origin',
    }).then(function (r) {
      if (r.status === 204) return null;
      return r
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (!r.ok) throw new Error(data.detail || data.title || '操作失败（HTTP ' + r.status + '）');
          return data;
        });
    });
  };
})();
