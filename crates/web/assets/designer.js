/* The assessment scheme designer: a live check that the points add up — each parent's
   children against its points, the top-level indicators against 100 — as the server checks
   them on save. No library; the page works without it. */
(function () {
  'use strict';

  function tenths(v) {
    var x = parseFloat(String(v).trim());
    return isFinite(x) ? Math.round(x * 10) : 0;
  }
  function text(t) {
    return t % 10 === 0 ? String(t / 10) : (t / 10).toFixed(1);
  }
  function mark(el, ok, msg) {
    if (!el) return;
    el.textContent = msg;
    el.classList.toggle('ok', ok);
    el.classList.toggle('bad', !ok);
  }

  function check(form) {
    var rows = form.querySelectorAll('.ind-row');
    var sumFmt = form.getAttribute('data-sum-fmt') || '{0}';
    var totalFmt = form.getAttribute('data-total-fmt') || '{0}';
    var list = [];
    for (var i = 0; i < rows.length; i++) {
      var input = rows[i].querySelector('.ind-points');
      list.push({
        el: rows[i],
        depth: Number(rows[i].getAttribute('data-depth')) || 0,
        points: input ? tenths(input.value) : 0,
        kids: 0
      });
    }
    // each row's parent is the nearest row above it one level up
    var stack = [];
    var roots = 0;
    for (var j = 0; j < list.length; j++) {
      var r = list[j];
      stack.length = r.depth;
      var parent = stack[r.depth - 1];
      if (parent) parent.kids += r.points;
      else roots += r.points;
      stack[r.depth] = r;
    }
    for (var k = 0; k < list.length; k++) {
      var s = list[k].el.querySelector('.sum-check');
      if (s) mark(s, list[k].kids === list[k].points, sumFmt.replace('{0}', text(list[k].kids)).replace('{1}', text(list[k].points)));
    }
    mark(document.getElementById('points-total'), roots === 1000, totalFmt.replace('{0}', text(roots)));
  }

  function ready(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  ready(function () {
    var form = document.getElementById('scheme-designer');
    if (!form) return;
    form.addEventListener('input', function (e) {
      if (e.target && e.target.classList && e.target.classList.contains('ind-points')) check(form);
    });
    check(form);
  });
})();
