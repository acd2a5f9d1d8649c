// Deleting forms ask first: a form with data-confirm="…" submits only after the user agrees.
// Without script the form posts directly (the server still checks every right).
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-confirm]');
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener('submit', function (ev) {
      if (!window.confirm(ev.currentTarget.getAttribute('data-confirm'))) ev.preventDefault();
    });
  }
})();
