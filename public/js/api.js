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

  // Forms sent with fetch instead of a page load: the button is disabled while the call runs,
  // the form's status element (spec.status) shows spec.busy, then what spec.done makes of the
  // answer, or the refusal's detail (spec.failed when it has none) so the user can try again.
  window.gopForms = function (selector, spec) {
    function onSubmit(ev) {
      ev.preventDefault();
      var form = ev.currentTarget;
      var button = form.querySelector('button');
      var status = form.querySelector(spec.status);
      button.disabled = true;
      if (status) status.textContent = spec.busy;
      spec
        .send(form)
        .then(function (result) {
          spec.done(result, form, status);
        })
        .catch(function (err) {
          if (status) status.textContent = err.message || spec.failed;
        })
        .then(function () {
          button.disabled = false;
        });
    }
    var forms = document.querySelectorAll(selector);
    for (var i = 0; i < forms.length; i++) forms[i].addEventListener('submit', onSubmit);
  };

  // One date format on every page: "2026-11-26 00:00", Beijing time (src/shared/time.ts).
  var FMT = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  window.gopTime = function (iso) {
    if (!iso) return '';
    var p = {};
    FMT.formatToParts(new Date(iso)).forEach(function (x) {
      p[x.type] = x.value;
    });
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute;
  };
})();
