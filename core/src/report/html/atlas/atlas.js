// The large page's map: draws the region from the page's embedded data (#map-data, compressed
// and decoded by window.hecunUnpack, see unpack.js) on a canvas element, with pan, zoom,
// labels, details on hover and click, and search. Plain ES2017, no library and no network, so
// the report stays one file that opens anywhere.
//
// Coordinates: the data gives whole quanta from an origin (see html/atlas/mod.rs); here they
// are decoded once to metres from that origin ("local" metres, small numbers), and the test
// hooks (window.hecunMap) add the origin back to speak the report's metric CRS.
(function () {
  'use strict';

  var dataEl = document.getElementById('map-data');
  var canvas = document.getElementById('map-canvas');
  var view = document.getElementById('map-view');
  if (!dataEl || !canvas || !view || !canvas.getContext) return;
  // The data is embedded compressed (html/packed.rs): the map starts once it is decoded
  // (unpack.js), and until then the canvas stays empty.
  window.hecunUnpack(dataEl, atlas);

  function atlas(D) {
    var W = D.words;
    var P = D.palette;
    var Q = D.q;
    var OX = D.origin[0];
    var OY = D.origin[1];
    var EXT_W = Math.max(D.size[0] * Q, 1);
    var EXT_H = Math.max(D.size[1] * Q, 1);
    var ctx = canvas.getContext('2d');

    // ---- Decoding -----------------------------------------------------------------------

    // A path's digits (html/atlas/encode.rs): the base64 alphabet, 5 bits of a zigzagged
    // value each, least significant first, 32 set while more follow.
    var DIGIT = new Int8Array(128).fill(-1);
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('')
      .forEach(function (c, i) { DIGIT[c.charCodeAt(0)] = i; });

    // A path's values x0, y0, dx1, dy1, … (whole quanta), in `into` (or a new array).
    // Float32 holds whole metres exactly up to 16,777 km from the corner: the decoded rings
    // are exact at half the memory of Float64.
    function values(s, into) {
      var n = 0;
      var i;
      if (!into) {
        for (i = 0; i < s.length; i++) if (DIGIT[s.charCodeAt(i)] < 32) n++;
        into = new Float32Array(n);
      }
      var z = 0;
      var scale = 1;
      n = 0;
      for (i = 0; i < s.length && n < into.length; i++) {
        var d = DIGIT[s.charCodeAt(i)];
        z += (d & 31) * scale;
        if (d & 32) { scale *= 32; continue; }
        into[n++] = z % 2 ? -(z + 1) / 2 : z / 2;
        z = 0;
        scale = 1;
      }
      return into;
    }

    // One delta-encoded ring or line to a flat array of local metres.
    function path(s) {
      var out = values(s);
      var x = 0;
      var y = 0;
      for (var i = 0; i + 1 < out.length; i += 2) {
        x += out[i];
        y += out[i + 1];
        out[i] = x * Q;
        out[i + 1] = y * Q;
      }
      return out;
    }

    // Polygons [[ring…]…] to decoded rings, and their bounding box.
    function shape(polys) {
      var rings = [];
      var b = [Infinity, Infinity, -Infinity, -Infinity];
      for (var p = 0; p < polys.length; p++) {
        for (var r = 0; r < polys[p].length; r++) {
          var ring = path(polys[p][r]);
          rings.push({ ring: ring, outer: r === 0 });
          grow(b, ring);
        }
      }
      return { rings: rings, bbox: b };
    }

    function grow(b, ring) {
      for (var i = 0; i < ring.length; i += 2) {
        if (ring[i] < b[0]) b[0] = ring[i];
        if (ring[i + 1] < b[1]) b[1] = ring[i + 1];
        if (ring[i] > b[2]) b[2] = ring[i];
        if (ring[i + 1] > b[3]) b[3] = ring[i + 1];
      }
    }

    // Anchors are written from each feature's first point (raw, before decoding).
    function anchorsOf(t) {
      var out = [];
      for (var i = 0; i < t.name.length; i++) {
        var x = t.anchor[2 * i];
        var first = t.geom[i][0] && t.geom[i][0][0] && values(t.geom[i][0][0], new Float64Array(2));
        out.push(x === null || !first ? null
          : [(first[0] + x) * Q, (first[1] + t.anchor[2 * i + 1]) * Q, t.room[i] / 10]);
      }
      return out;
    }

    var T = D.townships;
    var V = D.villages;
    T.anchors = anchorsOf(T);
    T.shapes = T.geom.map(shape);
    V.anchors = anchorsOf(V);
    V.shapes = V.geom.map(shape);
    // A village's township by name: from the township it lies in, else as written.
    V.townshipOf = function (i) { return V.t[i] >= 0 ? T.name[V.t[i]] : V.township[i]; };
    T.geom = V.geom = null; // the decoded shapes replace them: half the memory
    function lineLayer(L) {
      L.items = [];
      for (var i = 0; i < L.name.length; i++) {
        var lines = L.lines[i].map(path);
        var b = [Infinity, Infinity, -Infinity, -Infinity];
        lines.forEach(function (l) { grow(b, l); });
        var area = shape(L.areas[i]);
        if (area.rings.length) grow(b, area.bbox);
        L.items.push({ lines: lines, area: area, bbox: b });
      }
      L.lines = L.areas = null;
    }
    lineLayer(D.roads);
    lineLayer(D.corridors);
    var Z = D.zones;
    Z.shapes = Z.geom.map(shape);
    Z.geom = null;
    var FARM = D.farmland.geom.map(shape);
    var RED = D.redline.geom.map(shape);
    var S = D.sites;

    // ---- Grid index of the villages: built once, for culling and for picking --------------

    var nv = V.name.length;
    var CELL = Math.max(Math.sqrt((EXT_W * EXT_H) / Math.max(nv, 1)) * 2, 1);
    var COLS = Math.max(1, Math.ceil(EXT_W / CELL));
    var ROWS = Math.max(1, Math.ceil(EXT_H / CELL));
    var cells = new Array(COLS * ROWS);
    function cellRange(b) {
      return [
        Math.max(0, Math.min(COLS - 1, Math.floor(b[0] / CELL))),
        Math.max(0, Math.min(ROWS - 1, Math.floor(b[1] / CELL))),
        Math.max(0, Math.min(COLS - 1, Math.floor(b[2] / CELL))),
        Math.max(0, Math.min(ROWS - 1, Math.floor(b[3] / CELL)))
      ];
    }
    var sizes = [];
    for (var vi = 0; vi < nv; vi++) {
      var vb = V.shapes[vi].bbox;
      if (!(vb[0] <= vb[2])) continue;
      sizes.push(Math.max(vb[2] - vb[0], vb[3] - vb[1]));
      var cr = cellRange(vb);
      for (var cy = cr[1]; cy <= cr[3]; cy++) {
        for (var cx = cr[0]; cx <= cr[2]; cx++) {
          var k = cy * COLS + cx;
          (cells[k] || (cells[k] = [])).push(vi);
        }
      }
    }
    sizes.sort(function (a, b) { return a - b; });
    // A typical village's size: below a few pixels the map shows townships by share instead.
    var VILLAGE_SIZE = sizes.length ? sizes[sizes.length >> 1] : Infinity;
    var stamp = new Uint32Array(nv);
    var stampNow = 0;

    // The villages whose box meets local box b, each once, in layer order (the drawing order).
    function villagesIn(b) {
      stampNow++;
      var out = [];
      var cr = cellRange(b);
      for (var cy = cr[1]; cy <= cr[3]; cy++) {
        for (var cx = cr[0]; cx <= cr[2]; cx++) {
          var list = cells[cy * COLS + cx];
          if (!list) continue;
          for (var j = 0; j < list.length; j++) {
            var i = list[j];
            if (stamp[i] === stampNow) continue;
            stamp[i] = stampNow;
            if (meets(V.shapes[i].bbox, b)) out.push(i);
          }
        }
      }
      out.sort(function (a, b2) { return a - b2; });
      return out;
    }

    function meets(a, b) {
      return a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
    }

    // Even-odd point in polygon over all of a shape's rings (holes and parts alike).
    function inside(sh, x, y) {
      var b = sh.bbox;
      if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) return false;
      var c = false;
      for (var r = 0; r < sh.rings.length; r++) {
        var ring = sh.rings[r].ring;
        var n = ring.length;
        for (var i = 0, j = n - 2; i < n; j = i, i += 2) {
          var yi = ring[i + 1];
          var yj = ring[j + 1];
          if ((yi > y) !== (yj > y) &&
              x < ((ring[j] - ring[i]) * (y - yi)) / (yj - yi) + ring[i]) c = !c;
        }
      }
      return c;
    }

    // ---- View: centre (local metres) and scale (CSS pixels per metre) --------------------

    var cssW = 1;
    var cssH = 1;
    var dpr = 1;
    var st = { cx: EXT_W / 2, cy: EXT_H / 2, s: 1 };
    function fitScale(bw, bh) {
      return Math.min(cssW / Math.max(bw, 1), cssH / Math.max(bh, 1)) * 0.92;
    }
    function minScale() { return fitScale(EXT_W, EXT_H) * 0.5; }
    // The closest zoom: a metre is 8 pixels, past which the quantum would show.
    var MAX_SCALE = 8;
    function clampScale(s) { return Math.min(MAX_SCALE, Math.max(minScale(), s)); }
    function reset() {
      st = { cx: EXT_W / 2, cy: EXT_H / 2, s: fitScale(EXT_W, EXT_H) };
      schedule();
    }
    function toScreenX(x) { return (x - st.cx) * st.s + cssW / 2; }
    function toScreenY(y) { return cssH / 2 - (y - st.cy) * st.s; }
    function toLocal(px, py) {
      return [st.cx + (px - cssW / 2) / st.s, st.cy - (py - cssH / 2) / st.s];
    }
    function viewBox() {
      var a = toLocal(0, cssH);
      var b = toLocal(cssW, 0);
      return [a[0], a[1], b[0], b[1]];
    }
    function zoomAt(px, py, factor) {
      var before = toLocal(px, py);
      st.s = clampScale(st.s * factor);
      var after = toLocal(px, py);
      st.cx += before[0] - after[0];
      st.cy += before[1] - after[1];
      schedule();
    }
    function zoomTo(b) {
      var pad = 0.25;
      var bw = (b[2] - b[0]) * (1 + pad);
      var bh = (b[3] - b[1]) * (1 + pad);
      st.s = clampScale(fitScale(Math.max(bw, 200), Math.max(bh, 200)));
      st.cx = (b[0] + b[2]) / 2;
      st.cy = (b[1] + b[3]) / 2;
      schedule();
    }

    function resize() {
      var r = view.getBoundingClientRect();
      var first = cssW === 1;
      var w = Math.max(1, Math.round(r.width));
      var h = Math.max(1, Math.round(r.height));
      // The observer reports the size it starts with too: nothing to redraw then.
      if (!first && w === cssW && h === cssH && dpr === (window.devicePixelRatio || 1)) return;
      cssW = w;
      cssH = h;
      dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
      canvas.style.width = cssW + 'px';
      canvas.style.height = cssH + 'px';
      if (first) reset(); else { st.s = clampScale(st.s); schedule(); }
    }

    // ---- Drawing ------------------------------------------------------------------------

    var frame = 0;
    var dirty = true;
    function schedule() {
      dirty = true;
      if (!frame) frame = requestAnimationFrame(function () { frame = 0; draw(); });
    }

    // Adds a shape's rings to the current path, skipping vertices closer than half a pixel
    // to the last one drawn (a province's rings have far more vertices than pixels).
    function tracePath(ring, close) {
      var n = ring.length;
      if (n < 2) return;
      var lx = toScreenX(ring[0]);
      var ly = toScreenY(ring[1]);
      ctx.moveTo(lx, ly);
      for (var i = 2; i < n; i += 2) {
        var x = toScreenX(ring[i]);
        var y = toScreenY(ring[i + 1]);
        if (i + 2 < n && Math.abs(x - lx) < 0.5 && Math.abs(y - ly) < 0.5) continue;
        ctx.lineTo(x, y);
        lx = x;
        ly = y;
      }
      if (close) ctx.closePath();
    }
    function traceShape(sh) {
      for (var r = 0; r < sh.rings.length; r++) tracePath(sh.rings[r].ring, true);
    }
    // Villages in paths of a few hundred: one path of tens of thousands of parts takes Chromium's
    // software rasteriser seconds to fill, a few hundred paths of a few hundred milliseconds.
    function batched(list, paint) {
      for (var k = 0; k < list.length; k += 256) {
        ctx.beginPath();
        var end = Math.min(list.length, k + 256);
        for (var j = k; j < end; j++) traceShape(V.shapes[list[j]]);
        paint();
      }
    }
    function px(b) { return Math.max(b[2] - b[0], b[3] - b[1]) * st.s; }

    var drawnLabels = [];
    var highlight = null; // {kind, i}

    function draw() {
      dirty = false;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, cssW, cssH);
      var vb = viewBox();
      var overview = VILLAGE_SIZE * st.s < 3;

      // Townships: by their share of villages affected in the overview, plain beneath villages.
      var ti;
      for (ti = 0; ti < T.shapes.length; ti++) {
        if (!meets(T.shapes[ti].bbox, vb)) continue;
        ctx.beginPath();
        traceShape(T.shapes[ti]);
        ctx.fillStyle = overview ? P.bins[T.bin[ti]] : P.townshipFill;
        ctx.fill('evenodd');
      }

      // Villages at least 2 px across, batched by colour: one fill per colour.
      var shown = [];
      var byBin = [[], [], [], [], [], []];
      var list = villagesIn(vb);
      for (var j = 0; j < list.length; j++) {
        var i = list[j];
        if (px(V.shapes[i].bbox) < 2) continue;
        shown.push(i);
        byBin[V.bin[i]].push(i);
      }
      for (var bin = 0; bin < byBin.length; bin++) {
        ctx.fillStyle = P.bins[bin];
        batched(byBin[bin], function () { ctx.fill('evenodd'); });
      }
      if (shown.length && VILLAGE_SIZE * st.s >= 8) {
        ctx.strokeStyle = P.villageLine;
        ctx.lineWidth = 0.5;
        batched(shown, function () { ctx.stroke(); });
      }

      // Farmland and the red line, muted: why sites are out, under everything the plan draws.
      [[FARM, P.farmland, 0.35], [RED, P.redline, 0.18]].forEach(function (l) {
        ctx.beginPath();
        l[0].forEach(function (sh) { if (meets(sh.bbox, vb)) traceShape(sh); });
        ctx.globalAlpha = l[2];
        ctx.fillStyle = l[1];
        ctx.fill('evenodd');
        ctx.globalAlpha = 0.8;
        ctx.strokeStyle = l[1];
        ctx.lineWidth = 0.8;
        ctx.stroke();
        ctx.globalAlpha = 1;
      });

      // Zones and corridors are drawn translucent and never take the pointer (see pick()).
      ctx.globalAlpha = 0.28;
      for (var zi = 0; zi < Z.shapes.length; zi++) {
        if (Z.cls[zi] < 0 || !meets(Z.shapes[zi].bbox, vb)) continue;
        ctx.beginPath();
        traceShape(Z.shapes[zi]);
        ctx.fillStyle = Z.colours[Z.cls[zi]];
        ctx.fill('nonzero');
      }
      ctx.globalAlpha = 1;
      drawLines(D.corridors, vb, 2.2, 0.55);
      drawLines(D.roads, vb, null, 1);

      // Township boundaries over the villages.
      ctx.setLineDash([7, 3]);
      ctx.strokeStyle = P.townshipLine;
      ctx.lineWidth = 1.4;
      ctx.beginPath();
      for (ti = 0; ti < T.shapes.length; ti++) {
        if (meets(T.shapes[ti].bbox, vb)) traceShape(T.shapes[ti]);
      }
      ctx.stroke();
      ctx.setLineDash([]);

      // Thousands of site markers over a whole province are a carpet that hides the map: they
      // come in with the villages, when there is room to tell them apart.
      if (!overview) drawSites(vb);
      drawHighlight();
      drawLabels(vb, shown);
      scaleBar();
    }

    function drawLines(L, vb, lineWidth, areaAlpha) {
      for (var i = 0; i < L.items.length; i++) {
        var it = L.items[i];
        if (L.cls[i] < 0 || !meets(it.bbox, vb)) continue;
        var colour = L.colours[L.cls[i]];
        if (it.area.rings.length) {
          ctx.beginPath();
          traceShape(it.area);
          ctx.globalAlpha = areaAlpha;
          ctx.fillStyle = colour;
          ctx.fill('evenodd');
          ctx.globalAlpha = 1;
          ctx.strokeStyle = colour;
          ctx.lineWidth = 0.8;
          ctx.stroke();
        }
        if (it.lines.length) {
          ctx.beginPath();
          it.lines.forEach(function (l) { tracePath(l, false); });
          ctx.strokeStyle = colour;
          ctx.lineWidth = lineWidth || L.widths[L.cls[i]];
          ctx.lineCap = ctx.lineJoin = 'round';
          ctx.stroke();
        }
      }
    }

    function drawSites(vb) {
      for (var i = 0; i < S.name.length; i++) {
        var x = S.pt[2 * i];
        if (x === null) continue;
        x *= Q;
        var y = S.pt[2 * i + 1] * Q;
        if (x < vb[0] || x > vb[2] || y < vb[1] || y > vb[3]) continue;
        var sx = toScreenX(x);
        var sy = toScreenY(y);
        ctx.beginPath();
        ctx.arc(sx, sy, S.chosen[i] ? 5.5 : 4, 0, 2 * Math.PI);
        ctx.fillStyle = S.bin[i] >= 0 ? P.sites[S.bin[i]] : P.siteOut;
        ctx.fill();
        ctx.lineWidth = S.chosen[i] ? 2 : 1;
        ctx.strokeStyle = S.chosen[i] ? '#000' : '#fff';
        ctx.stroke();
      }
    }

    function drawHighlight() {
      if (!highlight || highlight.kind === 'site') return;
      var sh = (highlight.kind === 'township' ? T : V).shapes[highlight.i];
      ctx.beginPath();
      traceShape(sh);
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#0047ab';
      ctx.stroke();
    }

    // ---- Labels: inside their feature, biggest first, none over another ------------------

    var widths = new Map();
    function textWidth(font, text) {
      var key = font + '\u0000' + text;
      var w = widths.get(key);
      if (w === undefined) {
        ctx.font = font;
        w = ctx.measureText(text).width;
        widths.set(key, w);
      }
      return w;
    }
    var FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
    var TOWN_FONT = 'bold 13px ' + FONT_FAMILY;
    var VILLAGE_FONT = '11px ' + FONT_FAMILY;
    var ROAD_FONT = 'italic 11px ' + FONT_FAMILY;

    // Placed label boxes, bucketed by 64-px screen cells so each overlap test is local.
    function Boxes() { this.cells = new Map(); }
    Boxes.prototype.keys = function (b) {
      var out = [];
      for (var y = Math.floor(b[1] / 64); y <= Math.floor(b[3] / 64); y++) {
        for (var x = Math.floor(b[0] / 64); x <= Math.floor(b[2] / 64); x++) out.push(x + ',' + y);
      }
      return out;
    };
    Boxes.prototype.free = function (b) {
      var ks = this.keys(b);
      for (var i = 0; i < ks.length; i++) {
        var list = this.cells.get(ks[i]);
        if (!list) continue;
        for (var j = 0; j < list.length; j++) {
          var o = list[j];
          if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) return false;
        }
      }
      return true;
    };
    Boxes.prototype.add = function (b) {
      var ks = this.keys(b);
      for (var i = 0; i < ks.length; i++) {
        var list = this.cells.get(ks[i]);
        if (list) list.push(b); else this.cells.set(ks[i], [b]);
      }
    };

    function drawLabels(vb, shownVillages) {
      drawnLabels = [];
      var boxes = new Boxes();
      var cands = [];
      function consider(kind, L, i, font) {
        var a = L.anchors[i];
        if (!a || !L.name[i]) return;
        if (a[0] < vb[0] || a[0] > vb[2] || a[1] < vb[1] || a[1] > vb[3]) return;
        var room = a[2] * st.s;
        if (room < 6) return;
        cands.push({ kind: kind, L: L, i: i, font: font, room: room });
      }
      for (var t = 0; t < T.name.length; t++) consider('township', T, t, TOWN_FONT);
      for (var j = 0; j < shownVillages.length; j++) consider('village', V, shownVillages[j], VILLAGE_FONT);
      // Townships first, then by the room around the anchor: the bigger feature wins.
      cands.sort(function (a, b) {
        if (a.kind !== b.kind) return a.kind === 'township' ? -1 : 1;
        return b.room - a.room || a.i - b.i;
      });
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.lineJoin = 'round';
      for (var c = 0; c < cands.length; c++) {
        var k = cands[c];
        var name = k.L.name[k.i];
        var hh = k.kind === 'township' ? 9 : 8;
        // No glyph is narrower than about half the font size: skip measuring names that
        // cannot fit anyway (measuring thousands of names is what a zoom would wait for).
        var least = name.length * 2.75 + 2;
        if (least * least + hh * hh > k.room * k.room) continue;
        var hw = textWidth(k.font, name) / 2 + 2;
        // The whole text box must fit in the circle of free room around the anchor, so the
        // label lies inside its feature.
        if (hw * hw + hh * hh > k.room * k.room) continue;
        var a = k.L.anchors[k.i];
        var sx = toScreenX(a[0]);
        var sy = toScreenY(a[1]);
        var box = [sx - hw, sy - hh, sx + hw, sy + hh];
        if (!boxes.free(box)) continue;
        boxes.add(box);
        ctx.font = k.font;
        ctx.lineWidth = 3;
        ctx.strokeStyle = 'rgba(255,255,255,0.9)';
        ctx.strokeText(name, sx, sy);
        ctx.fillStyle = k.kind === 'township' ? '#3a2f1f' : '#333';
        ctx.fillText(name, sx, sy);
        drawnLabels.push({ kind: k.kind, id: k.L.id[k.i], name: name, x: a[0] + OX, y: a[1] + OY });
      }
      roadLabels(vb, boxes);
    }

    // A road's or corridor's name along the longest stretch of it in view, upright, when the
    // stretch is longer than the name.
    function roadLabels(vb, boxes) {
      [D.roads, D.corridors].forEach(function (L) {
        var seen = new Map();
        for (var i = 0; i < L.items.length; i++) {
          var name = L.name[i];
          if (!name || !meets(L.items[i].bbox, vb)) continue;
          var tw = textWidth(ROAD_FONT, name) + 12;
          var best = null;
          L.items[i].lines.forEach(function (l) {
            for (var p = 0; p + 3 < l.length; p += 2) {
              var x1 = toScreenX(l[p]);
              var y1 = toScreenY(l[p + 1]);
              var x2 = toScreenX(l[p + 2]);
              var y2 = toScreenY(l[p + 3]);
              var len = Math.hypot(x2 - x1, y2 - y1);
              var mx = (x1 + x2) / 2;
              var my = (y1 + y2) / 2;
              if (len < tw || mx < 0 || my < 0 || mx > cssW || my > cssH) continue;
              if (!best || len > best.len) best = { len: len, mx: mx, my: my, ang: Math.atan2(y2 - y1, x2 - x1) };
            }
          });
          if (!best) continue;
          // One label per name every 300 px is enough to read it.
          var near = (seen.get(name) || []).some(function (q) { return Math.hypot(q[0] - best.mx, q[1] - best.my) < 300; });
          if (near) continue;
          var ang = best.ang;
          if (ang > Math.PI / 2) ang -= Math.PI; else if (ang < -Math.PI / 2) ang += Math.PI;
          var ex = Math.abs(Math.cos(ang)) * tw / 2 + Math.abs(Math.sin(ang)) * 7;
          var ey = Math.abs(Math.sin(ang)) * tw / 2 + Math.abs(Math.cos(ang)) * 7;
          var box = [best.mx - ex, best.my - ey, best.mx + ex, best.my + ey];
          if (!boxes.free(box)) continue;
          boxes.add(box);
          (seen.get(name) || seen.set(name, []).get(name)).push([best.mx, best.my]);
          ctx.save();
          ctx.translate(best.mx, best.my);
          ctx.rotate(ang);
          ctx.font = ROAD_FONT;
          ctx.lineWidth = 3;
          ctx.strokeStyle = 'rgba(255,255,255,0.9)';
          ctx.strokeText(name, 0, -1);
          ctx.fillStyle = L.colours[L.cls[i]] || '#333';
          ctx.fillText(name, 0, -1);
          ctx.restore();
        }
      });
    }

    // ---- Scale bar: a round length of 60–150 px at the current zoom ---------------------

    var bar = document.getElementById('scale-bar');
    function scaleBar() {
      if (!bar) return;
      var target = 100 / st.s;
      var p = Math.pow(10, Math.floor(Math.log10(target)));
      var len = [1, 2, 5, 10].map(function (m) { return m * p; })
        .filter(function (l) { return l * st.s <= 150; }).pop() || p;
      bar.firstChild.style.width = (len * st.s).toFixed(1) + 'px';
      bar.lastChild.textContent = len >= 1000 ? (len / 1000) + ' ' + W.km : len + ' ' + W.m;
    }

    // ---- Details: hover shows, click pins ------------------------------------------------

    var info = document.getElementById('map-info');
    var pinned = false;

    function fmt(n) {
      return n < 0 ? W.dash : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    }

    // The topmost feature under screen point (px, py): a site within 6 px, else the last-drawn
    // village containing it, else its township. Zones, corridors and roads are skipped so they
    // never hide a village.
    function pick(px, py) {
      var best = null;
      var bestD = 36;
      // Sites are not drawn at the overview (draw()), so they are not picked there either.
      for (var i = 0; VILLAGE_SIZE * st.s >= 3 && i < S.name.length; i++) {
        if (S.pt[2 * i] === null) continue;
        var dx = toScreenX(S.pt[2 * i] * Q) - px;
        var dy = toScreenY(S.pt[2 * i + 1] * Q) - py;
        var d = dx * dx + dy * dy;
        if (d <= bestD) { bestD = d; best = { kind: 'site', i: i }; }
      }
      if (best) return best;
      var p = toLocal(px, py);
      var list = villagesIn([p[0], p[1], p[0], p[1]]);
      for (var j = list.length - 1; j >= 0; j--) {
        if (inside(V.shapes[list[j]], p[0], p[1])) return { kind: 'village', i: list[j] };
      }
      for (var t = T.shapes.length - 1; t >= 0; t--) {
        if (inside(T.shapes[t], p[0], p[1])) return { kind: 'township', i: t };
      }
      return null;
    }

    function el(tag, text, cls) {
      var e = document.createElement(tag);
      if (text !== undefined) e.textContent = text;
      if (cls) e.className = cls;
      return e;
    }

    function showInfo(f) {
      if (!info) return;
      info.textContent = '';
      if (!f) {
        info.appendChild(el('p', W.hint, 'note'));
        return;
      }
      var dl = el('dl');
      function row(k, v) {
        if (v === '' || v === undefined || v === null) return;
        dl.appendChild(el('dt', k));
        dl.appendChild(el('dd', String(v)));
      }
      var i = f.i;
      if (f.kind === 'township') {
        info.appendChild(el('h3', W.township + W.colon + T.name[i]));
        row(W.code, T.code[i]);
        row(W.villages, fmt(T.villages[i]));
        row(W.affected, fmt(T.affected[i]) + (T.villages[i] > 0 ? ' (' + T.share[i] + ')' : ''));
        row(W.households, fmt(T.hh[i]));
        row(W.population, fmt(T.pop[i]));
        info.appendChild(dl);
        // The township's own detail (the large page's township table shows it by address).
        if (T.href[i]) {
          var a = el('a', W.detail);
          a.href = '#' + T.href[i];
          info.appendChild(a);
        }
      } else if (f.kind === 'village') {
        info.appendChild(el('h3', W.village + W.colon + (V.name[i] || V.id[i])));
        row(W.code, V.id[i]);
        row(W.township, V.townshipOf(i));
        row(W.households, fmt(V.hh[i]));
        row(W.population, fmt(V.pop[i]));
        row(W.share, V.share[i] || W.untouched);
        var c = V.c[i];
        if (c >= 0) {
          row(W.community, D.communities.name[c]);
          var s = D.communities.status[c];
          if (s >= 0) row(W.verdict, W['st' + s] + (D.communities.why[c] || ''));
        }
        info.appendChild(dl);
      } else {
        info.appendChild(el('h3', W.site + W.colon + (S.name[i] || S.id[i])));
        row(W.code, S.id[i]);
        row(W.score, S.score[i]);
        if (S.chosen[i]) row(W.chosen, '✓');
        row(W.excluded, S.out[i]);
        info.appendChild(dl);
      }
    }

    function select(f, zoom) {
      highlight = f;
      hovered = '';
      pinned = !!f;
      showInfo(f);
      if (f && zoom) {
        if (f.kind === 'site') {
          var x = S.pt[2 * f.i] * Q;
          var y = S.pt[2 * f.i + 1] * Q;
          zoomTo([x - 500, y - 500, x + 500, y + 500]);
        } else {
          zoomTo((f.kind === 'township' ? T : V).shapes[f.i].bbox);
        }
      }
      schedule();
    }

    // ---- Pointer: drag pans, wheel and double-click zoom, hover and click show details ----

    var drag = null;
    var hovered = '';
    function offset(e) {
      var r = canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    }
    canvas.addEventListener('pointerdown', function (e) {
      var o = offset(e);
      drag = { x: o[0], y: o[1], cx: st.cx, cy: st.cy, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', function (e) {
      var o = offset(e);
      if (drag) {
        var dx = o[0] - drag.x;
        var dy = o[1] - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          st.cx = drag.cx - dx / st.s;
          st.cy = drag.cy + dy / st.s;
          schedule();
        }
        return;
      }
      if (!pinned) {
        var f = pick(o[0], o[1]);
        // The panel is rebuilt only when the pointer reaches another feature.
        var key = f ? f.kind + f.i : '';
        if (key !== hovered) {
          hovered = key;
          showInfo(f);
          canvas.style.cursor = f ? 'pointer' : 'grab';
        }
      }
    });
    canvas.addEventListener('pointerup', function (e) {
      var o = offset(e);
      if (drag && !drag.moved) select(pick(o[0], o[1]), false);
      drag = null;
    });
    canvas.addEventListener('pointercancel', function () { drag = null; });
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      var o = offset(e);
      var dy = e.deltaY * (e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1);
      zoomAt(o[0], o[1], Math.exp(-dy * 0.0015));
    }, { passive: false });
    canvas.addEventListener('dblclick', function (e) {
      var o = offset(e);
      zoomAt(o[0], o[1], e.shiftKey ? 0.5 : 2);
    });
    function button(id, fn) {
      var b = document.getElementById(id);
      if (b) b.addEventListener('click', fn);
    }
    button('map-zoom-in', function () { zoomAt(cssW / 2, cssH / 2, 2); });
    button('map-zoom-out', function () { zoomAt(cssW / 2, cssH / 2, 0.5); });
    button('map-reset', function () { select(null, false); reset(); });

    // ---- Search: townships and villages by name or by 区划代码 prefix ---------------------

    var input = document.getElementById('map-search');
    var suggest = document.getElementById('map-suggest');
    var LIMIT = 20;

    // Matches, best first: an exact code, a code prefix, an exact name, a name's start, a name
    // containing the text; townships before villages within each.
    function find(text) {
      var t = text.trim();
      if (!t) return [];
      var digits = /^\d+$/.test(t);
      var tiers = [[], [], [], [], []];
      function test(kind, i, id, code, name) {
        var tier = -1;
        if (id === t || code === t) tier = 0;
        else if (digits && ((code && code.indexOf(t) === 0) || id.indexOf(t) === 0)) tier = 1;
        else if (name === t) tier = 2;
        else if (name && name.indexOf(t) === 0) tier = 3;
        else if (name && name.indexOf(t) > 0) tier = 4;
        if (tier >= 0 && tiers[tier].length < LIMIT) tiers[tier].push({ kind: kind, i: i });
      }
      for (var i = 0; i < T.name.length; i++) test('township', i, T.id[i], T.code[i], T.name[i]);
      for (var j = 0; j < V.name.length; j++) test('village', j, V.id[j], '', V.name[j]);
      var out = [];
      tiers.forEach(function (l) {
        l.sort(function (a, b) { return (a.kind === b.kind) ? 0 : a.kind === 'township' ? -1 : 1; });
        out.push.apply(out, l);
      });
      return out.slice(0, LIMIT);
    }

    function describe(f) {
      if (f.kind === 'township') return T.name[f.i] + (T.code[f.i] ? ' · ' + T.code[f.i] : '');
      return (V.name[f.i] || '') + ' · ' + V.id[f.i] + (V.townshipOf(f.i) ? ' · ' + V.townshipOf(f.i) : '');
    }

    var found = [];
    var active = -1;
    function showSuggestions() {
      if (!suggest) return;
      suggest.textContent = '';
      found = find(input.value);
      active = -1;
      if (!input.value.trim()) { suggest.hidden = true; return; }
      if (!found.length) suggest.appendChild(el('li', W.noMatch, 'none'));
      found.forEach(function (f, k) {
        var li = el('li', describe(f));
        li.setAttribute('role', 'option');
        li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(k); });
        suggest.appendChild(li);
      });
      suggest.hidden = false;
    }
    function choose(k) {
      var f = found[k];
      if (!f) return null;
      if (suggest) suggest.hidden = true;
      select(f, true);
      return f;
    }
    if (input) {
      input.addEventListener('input', showSuggestions);
      input.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          if (!found.length) return;
          active = (active + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
          Array.prototype.forEach.call(suggest.children, function (li, k) {
            li.className = k === active ? 'active' : '';
          });
        } else if (e.key === 'Enter') {
          e.preventDefault();
          found = find(input.value);
          choose(active >= 0 ? active : 0);
        } else if (e.key === 'Escape') {
          if (suggest) suggest.hidden = true;
        }
      });
      input.addEventListener('blur', function () { if (suggest) suggest.hidden = true; });
      // Text typed while the data was still being decoded: answer it now.
      if (input.value.trim() && document.activeElement === input) showSuggestions();
    }

    // ---- Test hooks (tests/browser/README.md): data coordinates in the report's metric CRS ----

    function flush() { if (dirty) draw(); }
    function idOf(f) { return f.kind === 'site' ? S.id[f.i] : (f.kind === 'township' ? T : V).id[f.i]; }
    window.hecunMap = {
      // The labels drawn in the current view: [{kind, id, name, x, y}], the anchor in metres.
      labels: function () { flush(); return drawnLabels.slice(); },
      // A township or village by id (kind optional when the id is unique) with its rings.
      feature: function (id, kind) {
        var layers = kind ? [kind] : ['township', 'village'];
        for (var l = 0; l < layers.length; l++) {
          var L = layers[l] === 'township' ? T : V;
          var i = L.id.indexOf(String(id));
          if (i < 0) continue;
          return {
            kind: layers[l],
            name: L.name[i],
            rings: L.shapes[i].rings.map(function (r) {
              var pts = [];
              for (var k = 0; k < r.ring.length; k += 2) pts.push([r.ring[k] + OX, r.ring[k + 1] + OY]);
              return pts;
            })
          };
        }
        return null;
      },
      // Searches as Enter does: zooms to the best match and returns its id, or null.
      search: function (text) {
        found = find(text);
        var f = choose(0);
        flush();
        return f ? idOf(f) : null;
      },
      // The current view's bounds in metres.
      view: function () {
        flush();
        var b = viewBox();
        return { minX: b[0] + OX, minY: b[1] + OY, maxX: b[2] + OX, maxY: b[3] + OY };
      },
      // Zooms to a box in metres (for checks of labels at a closer zoom).
      zoomTo: function (minX, minY, maxX, maxY) {
        zoomTo([minX - OX, minY - OY, maxX - OX, maxY - OY]);
        flush();
      }
    };

    if (window.ResizeObserver) new ResizeObserver(resize).observe(view);
    else window.addEventListener('resize', resize);
    resize();
    flush();
  }
})();
