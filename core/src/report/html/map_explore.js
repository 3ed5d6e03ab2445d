// The small page's map, explored: search a village or township by name or 区划代码 and the map
// zooms to it; the wheel zooms, dragging pans, the reset button returns to the whole region.
// The map is the page's inline SVG; zooming changes its viewBox, so nothing is redrawn and the
// page keeps working (without this script it is the same map, unzoomed).
(function () {
  'use strict';
  var figure = document.getElementById('map-figure');
  var svg = document.getElementById('map');
  var box = document.getElementById('map-search');
  var info = document.getElementById('map-info');
  var list = document.getElementById('map-search-list');
  if (!figure || !svg || !box || !info) return;

  var home = svg.getAttribute('viewBox').split(/\s+/).map(Number);
  var view = home.slice();
  function show(v) {
    view = v;
    svg.setAttribute('viewBox', v.map(function (n) { return n.toFixed(1); }).join(' '));
    var k = v[2] / home[2];
    keepBand(k);
    keepLabels(k);
  }

  // Names keep their size on the screen as the map zooms (their anchors stay where hecun put
  // them, inside their feature): each label's font and halo drawn at k times their home size.
  var labels = [];
  var texts = svg.querySelectorAll('text.label');
  for (var n = 0; n < texts.length; n++) {
    var cs = window.getComputedStyle(texts[n]);
    labels.push({ el: texts[n], font: parseFloat(cs.fontSize) || 12, halo: parseFloat(cs.strokeWidth) || 0 });
  }
  function keepLabels(k) {
    for (var i = 0; i < labels.length; i++) {
      var l = labels[i];
      l.el.style.fontSize = k === 1 ? '' : (l.font * k).toFixed(3) + 'px';
      l.el.style.strokeWidth = k === 1 || !l.halo ? '' : (l.halo * k).toFixed(3) + 'px';
    }
  }

  // The scale bar and the north arrow stay where they are on the screen, at their size, as the
  // map zooms (drawn over the map when zoomed in); the bar's length is re-chosen, a round
  // number of metres for the new scale, so it stays true.
  var bar = document.getElementById('scale-bar');
  var arrow = document.getElementById('north-arrow');
  var barMetres = bar ? Number(bar.getAttribute('data-metres')) : 0;
  var barRects = bar ? bar.querySelectorAll('rect') : [];
  var barTexts = bar ? bar.querySelectorAll('text') : [];
  var barX0 = barRects.length ? Number(barRects[0].getAttribute('x')) : 0;
  var barHalf = barRects.length ? Number(barRects[0].getAttribute('width')) : 0;
  function niceFloor(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var m = [5, 2, 1];
    for (var i = 0; i < m.length; i++) if (m[i] * p <= x * (1 + 1e-9)) return m[i] * p;
    return p;
  }
  function distance(m) {
    return m >= 1000 ? +(m / 1000).toFixed(3) + ' km' : +m.toFixed(3) + ' m';
  }
  function keepBand(k) {
    // Home coordinates (x, y) show at view + (x - home) · k: the inverse keeps the band still.
    var t = k === 1 ? '' : 'translate(' + (view[0] - home[0] * k).toFixed(3) + ' ' + (view[1] - home[1] * k).toFixed(3) + ') scale(' + k.toFixed(6) + ')';
    if (arrow) arrow.setAttribute('transform', t);
    if (!bar || !(barMetres > 0) || barRects.length < 2 || barTexts.length < 3) return;
    bar.setAttribute('transform', t);
    // The home bar, drawn at scale k, spans barMetres · k metres: the round length under it.
    var want = k === 1 ? barMetres : niceFloor(barMetres * k);
    var half = barHalf * want / (barMetres * k);
    barRects[0].setAttribute('width', half.toFixed(2));
    barRects[1].setAttribute('x', (barX0 + half).toFixed(2));
    barRects[1].setAttribute('width', half.toFixed(2));
    barTexts[1].setAttribute('x', (barX0 + half).toFixed(2));
    barTexts[1].textContent = distance(want / 2);
    barTexts[2].setAttribute('x', (barX0 + 2 * half).toFixed(2));
    barTexts[2].textContent = distance(want);
  }

  // Every searchable shape carries its id, name and kind; its tooltip says the rest.
  var items = [];
  var shapes = svg.querySelectorAll('[data-name]');
  for (var i = 0; i < shapes.length; i++) {
    var el = shapes[i];
    items.push({ el: el, id: el.getAttribute('data-id') || '', name: el.getAttribute('data-name'), kind: el.getAttribute('data-kind') || '' });
  }

  function matches(text) {
    var t = text.trim();
    if (!t) return [];
    var exact = [], prefix = [], part = [];
    for (var i = 0; i < items.length; i++) {
      var it = items[i];
      if (it.name === t || it.id === t) exact.push(it);
      else if (it.id.indexOf(t) === 0 || it.name.indexOf(t) === 0) prefix.push(it);
      else if (it.name.indexOf(t) >= 0) part.push(it);
    }
    return exact.concat(prefix, part);
  }

  function label(it) {
    return it.name + (it.id && it.id !== it.name ? ' ' + it.id : '');
  }

  // Suggestions: at most 20, the exact and prefix matches first.
  box.addEventListener('input', function () {
    if (!list) return;
    var found = matches(box.value).slice(0, 20);
    list.textContent = '';
    for (var i = 0; i < found.length; i++) {
      var o = document.createElement('option');
      o.value = found[i].kind === 'village' ? found[i].id : found[i].name;
      o.label = label(found[i]);
      list.appendChild(o);
    }
  });

  var focused = null;
  function go() {
    var found = matches(box.value);
    if (focused) focused.el.classList.remove('found');
    if (!found.length) {
      info.textContent = box.getAttribute('data-none') + ' ' + box.value.trim();
      focused = null;
      delete figure.dataset.focus;
      return;
    }
    var it = found[0];
    focused = it;
    it.el.classList.add('found');
    var b = it.el.getBBox();
    // Zoom so the shape fills about half the view, never closer than 1/40 of the region.
    var w = Math.max(b.width * 2, b.height * 2 * home[2] / home[3], home[2] / 40);
    var h = w * home[3] / home[2];
    show([b.x + b.width / 2 - w / 2, b.y + b.height / 2 - h / 2, w, h]);
    var title = it.el.querySelector('title');
    // A village's tooltip names its code, name, share and zones; a township's, its name.
    info.textContent = title ? title.textContent : label(it);
    figure.dataset.focus = it.id || it.name;
  }
  box.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { e.preventDefault(); go(); }
  });
  box.addEventListener('change', go);

  // Zoom about the pointer; pan by dragging.
  function toMap(e) {
    var r = svg.getBoundingClientRect();
    return [view[0] + (e.clientX - r.left) / r.width * view[2], view[1] + (e.clientY - r.top) / r.height * view[3]];
  }
  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    var k = e.deltaY < 0 ? 0.8 : 1.25;
    var p = toMap(e);
    var w = Math.min(home[2], view[2] * k), h = w * home[3] / home[2];
    var f = w / view[2];
    show([p[0] - (p[0] - view[0]) * f, p[1] - (p[1] - view[1]) * f, w, h]);
  }, { passive: false });
  var drag = null;
  svg.addEventListener('pointerdown', function (e) { drag = { x: e.clientX, y: e.clientY, v: view.slice() }; });
  window.addEventListener('pointerup', function () { drag = null; });
  svg.addEventListener('pointermove', function (e) {
    if (!drag || e.buttons !== 1) return;
    var r = svg.getBoundingClientRect();
    var dx = (e.clientX - drag.x) / r.width * drag.v[2], dy = (e.clientY - drag.y) / r.height * drag.v[3];
    show([drag.v[0] - dx, drag.v[1] - dy, drag.v[2], drag.v[3]]);
  });
  var reset = document.getElementById('map-reset');
  if (reset) reset.addEventListener('click', function () { show(home.slice()); });
})();
