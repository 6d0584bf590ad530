/* dangjian pages: the phone menu, delete confirmations, the upload size check, tree buttons.
   Loaded in <head> (tiny) so the `js` class is set before the first paint. */
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function ready(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  ready(function () {
    var body = document.body;
    var btn = document.getElementById('menu-toggle');
    var nav = document.getElementById('sidenav');
    function setOpen(open) {
      body.classList.toggle('nav-open', open);
      if (btn) btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    if (btn && nav) {
      btn.addEventListener('click', function () {
        var open = !body.classList.contains('nav-open');
        setOpen(open);
        if (open) {
          var first = nav.querySelector('a');
          if (first) first.focus();
        }
      });
      document.addEventListener('keydown', function (e) {
        if (e.key === 'Escape' && body.classList.contains('nav-open')) {
          setOpen(false);
          btn.focus();
        }
      });
      document.addEventListener('click', function (e) {
        if (body.classList.contains('nav-open') && !nav.contains(e.target) && !btn.contains(e.target)) {
          setOpen(false);
        }
      });
    }

    // After a refused save, put the cursor in the first field that is wrong.
    var firstBad = document.querySelector('.has-error input, .has-error select');
    if (firstBad) firstBad.focus();

    // On phones the list filters fold away unless one is set.
    if (window.matchMedia && window.matchMedia('(max-width: 600px)').matches) {
      var folds = document.querySelectorAll('details[data-collapse-on-phone]:not([data-active])');
      for (var j = 0; j < folds.length; j++) folds[j].open = false;
    }

    // Filter forms send only the filters that are set, so the address bar stays readable.
    document.body.addEventListener('htmx:configRequest', function (e) {
      var d = e.detail;
      if (!d || d.verb !== 'get' || !d.formData) return;
      var empty = [];
      d.formData.forEach(function (v, k) { if (v === '') empty.push(k); });
      for (var i = 0; i < empty.length; i++) d.formData.delete(empty[i]);
    });

    // Forms that delete something ask first.
    document.addEventListener('submit', function (e) {
      var form = e.target;
      var msg = form && form.getAttribute && form.getAttribute('data-confirm');
      if (msg && !window.confirm(msg)) e.preventDefault();
    }, true);

    // Refuse an oversized file before uploading it.
    var file = document.querySelector('input[type=file][data-max]');
    if (file) {
      file.addEventListener('change', function () {
        var max = Number(file.getAttribute('data-max'));
        var chosen = file.files && file.files[0];
        var tooLarge = !!(chosen && chosen.size > max);
        var msg = tooLarge ? file.getAttribute('data-too-large') : '';
        var err = document.getElementById('file-error');
        if (err) {
          err.hidden = !tooLarge;
          err.textContent = msg;
        }
        file.setCustomValidity(msg);
      });
    }

    // Expand or collapse the whole org tree.
    document.addEventListener('click', function (e) {
      var b = e.target && e.target.closest && e.target.closest('[data-tree]');
      if (!b) return;
      var open = b.getAttribute('data-tree') === 'open';
      var all = document.querySelectorAll('#org-tree details');
      for (var i = 0; i < all.length; i++) all[i].open = open;
    });
  });
})();
