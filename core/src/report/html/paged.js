// The large report page's tables and detail views (plain ES2017, no network, no library).
//
// Why: at province scale every row of every table as HTML is over half a million elements and
// a tab that stays blank for seconds. The page therefore embeds each long table's rows as JSON,
// their cells already formatted by hecun (so this form and the small page say the same words),
// with the first page also written as HTML so data shows before this script runs. This script
// shows one page at a time, filters by any text of a row (names, 区划代码), sorts by a clicked
// column (numbers by the number they show), and shows one detail at a time: a community's
// verdict or a site's terms (`#community-3`, `#site-12`), or a township's rows of every table
// (`#township-5`), following the address so the back button works. The rows and the details
// are embedded compressed (html/packed.rs) and decoded by `window.hecunUnpack` (unpack.js):
// a table gets its bar once its rows are decoded, a detail waits for its block.
(function () {
  'use strict';
  var W = JSON.parse(document.getElementById('paged-words').textContent);
  var PAGE = W.page;
  var ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function rowsOf(a, b, n) {
    return W.rows_of.replace('{a}', thousands(a)).replace('{b}', thousands(b))
      .replace('{n}', thousands(n));
  }
  // A cell's text, as the filter and the text sort read it.
  function text(html) {
    return html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, function (m) {
      return ENTITIES[m];
    });
  }
  function cellHtml(c) {
    return typeof c === 'string' ? c : c[0];
  }
  function el(tag, props) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) { e[k] = props[k]; });
    return e;
  }

  // A table's data, as embedded by hecun: rows of cells (HTML, or [html, class] or
  // [html, class, number]), row classes by index, the township column.
  function Table(box, data) {
    this.id = box.getAttribute('data-paged');
    this.table = box.querySelector('table');
    this.rows = data.rows;
    this.rc = data.rc;
    this.tw = data.tw;
    this.title = data.title;
    this.texts = null;
    this.keys = {};
  }
  Table.prototype.rowHtml = function (i) {
    var row = this.rows[i];
    var cls = this.rc[i];
    var s = cls ? '<tr class="' + cls + '">' : '<tr>';
    for (var j = 0; j < row.length; j++) {
      var c = row[j];
      if (typeof c === 'string') {
        s += '<td>' + c + '</td>';
      } else {
        s += (c[1] ? '<td class="' + c[1] + '">' : '<td>') + c[0] + '</td>';
      }
    }
    return s + '</tr>';
  };
  // Each row's text in lower case, made once, on the first filter.
  Table.prototype.text = function (i) {
    if (!this.texts) {
      this.texts = this.rows.map(function (row) {
        return text(row.map(cellHtml).join(' ')).toLowerCase();
      });
    }
    return this.texts[i];
  };
  // A column's sort keys, made once: the number a numeric cell shows, else its text.
  Table.prototype.key = function (col) {
    if (!this.keys[col]) {
      this.keys[col] = this.rows.map(function (row) {
        var c = row[col];
        if (c === undefined) return null;
        if (typeof c !== 'string' && c.length > 2) return c[2];
        var t = text(cellHtml(c)).trim();
        return t === '' ? null : t;
      });
    }
    return this.keys[col];
  };

  // One view of a table: its rows (all, or one township's), filtered, sorted, a page shown.
  function Pager(data, table, rows, before) {
    this.data = data;
    this.table = table;
    this.all = rows;
    this.view = rows;
    this.page = 0;
    this.col = -1;
    this.desc = false;
    this.body = table.tBodies[0];
    var self = this;
    var bar = el('div', { className: 'pager-bar' });
    var filter = el('input', { type: 'search', placeholder: W.filter });
    filter.setAttribute('aria-label', W.filter);
    // The table it filters, for tools (and tests) that drive the page.
    if (table.id) filter.setAttribute('data-filter-for', table.id);
    // At once on each keystroke: a pass over 60,000 rows' texts takes milliseconds.
    filter.addEventListener('input', function () { self.filter(filter.value); });
    bar.appendChild(filter);
    var go = function (label, to) {
      var b = el('button', { type: 'button', textContent: label });
      b.addEventListener('click', function () { self.show(to()); });
      bar.appendChild(b);
      return b;
    };
    this.firstB = go(W.first, function () { return 0; });
    this.prevB = go(W.prev, function () { return self.page - 1; });
    this.info = el('span', { className: 'pager-count' });
    bar.appendChild(this.info);
    this.nextB = go(W.next, function () { return self.page + 1; });
    this.lastB = go(W.last, function () { return self.pages() - 1; });
    table.parentNode.insertBefore(bar, before || table);
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.title = W.sort_hint;
      th.addEventListener('click', function () { self.sort(col, heads); });
    });
    this.show(0);
  }
  Pager.prototype.pages = function () {
    return Math.max(1, Math.ceil(this.view.length / PAGE));
  };
  Pager.prototype.show = function (page) {
    this.page = Math.min(Math.max(0, page), this.pages() - 1);
    var a = this.page * PAGE;
    var b = Math.min(a + PAGE, this.view.length);
    var html = [];
    for (var i = a; i < b; i++) html.push(this.data.rowHtml(this.view[i]));
    if (html.length === 0) {
      var cols = this.table.tHead.rows[0].cells.length;
      html.push('<tr><td class="note" colspan="' + cols + '">' + W.no_rows + '</td></tr>');
    }
    this.body.innerHTML = html.join('\n');
    this.info.textContent = rowsOf(b > a ? a + 1 : 0, b, this.view.length);
    this.firstB.disabled = this.prevB.disabled = this.page === 0;
    this.nextB.disabled = this.lastB.disabled = this.page >= this.pages() - 1;
  };
  Pager.prototype.order = function () {
    if (this.col < 0) return;
    var keys = this.data.key(this.col);
    var sign = this.desc ? -1 : 1;
    // Empty cells last either way; equal keys keep the table's order.
    this.view.sort(function (x, y) {
      var a = keys[x];
      var b = keys[y];
      if (a === null || b === null) {
        return a === b ? x - y : (a === null ? 1 : -1);
      }
      var d = typeof a === 'number' && typeof b === 'number' ? a - b
        : String(a).localeCompare(String(b), document.documentElement.lang);
      return d !== 0 ? sign * d : x - y;
    });
  };
  Pager.prototype.sort = function (col, heads) {
    this.desc = this.col === col ? !this.desc : false;
    this.col = col;
    Array.prototype.forEach.call(heads, function (th, j) {
      if (j === col) th.setAttribute('aria-sort', this.desc ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }, this);
    this.view = this.view.slice();
    this.order();
    this.show(0);
  };
  Pager.prototype.filter = function (query) {
    var q = query.trim().toLowerCase();
    var data = this.data;
    this.view = q === '' ? this.all.slice()
      : this.all.filter(function (i) { return data.text(i).indexOf(q) >= 0; });
    this.order();
    this.show(0);
  };

  // Every table's data in page order, once each is decoded; until then the table shows the
  // first page and the count line hecun wrote.
  var tables = [];
  var tablesReady = Promise.all(Array.prototype.map.call(
    document.querySelectorAll('div.paged[data-paged]'),
    function (box) {
      var source = document.getElementById(box.getAttribute('data-paged') + '-data');
      return window.hecunUnpack(source, function (json) {
        var data = new Table(box, json);
        var all = data.rows.map(function (_, i) { return i; });
        // The Rust-written count line gives way to the bar with its buttons.
        var info = box.querySelector('p.pager-info');
        if (info) info.remove();
        new Pager(data, data.table, all, null);
        return data;
      });
    }
  )).then(function (list) { tables = list; });

  // Detail blocks by anchor, and the township index (anchor → the township's name as the
  // tables write it).
  // Decoded on the first link followed to one, not on load: a province's verdicts are tens of
  // megabytes of text the page need not hold until somebody asks. The script's text is
  // dropped once read, so it is held once.
  var details = null;
  var detailsReady = null;
  function loadDetails() {
    if (detailsReady) return detailsReady;
    var found = {};
    detailsReady = Promise.all(Array.prototype.map.call(
      document.querySelectorAll('script[data-details]'),
      function (s) {
        var holder = document.getElementById(s.getAttribute('data-details'));
        return window.hecunUnpack(s, function (pairs) {
          pairs.forEach(function (pair) {
            found[pair[0]] = { holder: holder, html: pair[1] };
          });
        });
      }
    )).then(function () {
      details = found;
      return details;
    });
    return detailsReady;
  }
  function isDetailOf(all, key) {
    return Object.prototype.hasOwnProperty.call(all, key);
  }
  var townships = {};
  var index = document.getElementById('townships-index');
  if (index) {
    JSON.parse(index.textContent).forEach(function (pair) { townships[pair[0]] = pair[1]; });
  }

  // One township: its rows of every table that names townships, each paged on its own.
  function showTownship(key) {
    var name = townships[key];
    var holder = document.getElementById('township-view');
    holder.textContent = '';
    var box = el('div', { id: key });
    box.appendChild(el('h3', { innerHTML: W.township_detail + W.colon + name }));
    var back = el('a', { href: '#townships', textContent: W.back });
    box.appendChild(el('p', {})).appendChild(back);
    holder.appendChild(box);
    tables.forEach(function (data) {
      if (data.tw === null || data.tw === undefined) return;
      var rows = [];
      for (var i = 0; i < data.rows.length; i++) {
        var c = data.rows[i][data.tw];
        if (c !== undefined && cellHtml(c) === name) rows.push(i);
      }
      var h = el('h4', { textContent: data.title + ' (' + thousands(rows.length) + ')' });
      box.appendChild(h);
      if (rows.length === 0) return;
      var table = el('table', {});
      table.appendChild(data.table.tHead.cloneNode(true));
      table.appendChild(el('tbody', {}));
      box.appendChild(table);
      new Pager(data, table, rows, table);
    });
    holder.hidden = false;
    return holder;
  }

  function showDetail(key) {
    var d = details[key];
    d.holder.innerHTML = d.html;
    d.holder.hidden = false;
    return d.holder;
  }

  // The address followed last: a view decoded late is shown only if it is still the one asked
  // for (a second click while the first decodes wins).
  var asked = 0;
  function follow() {
    var key;
    try {
      key = decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return;
    }
    var ticket = ++asked;
    var later = function (show) {
      return function () {
        if (ticket !== asked) return;
        var target = show();
        if (target) target.scrollIntoView();
      };
    };
    if (!key) return;
    if (Object.prototype.hasOwnProperty.call(townships, key)) {
      // A township's view is made of the tables' rows.
      tablesReady.then(later(function () { return showTownship(key); }));
    } else if (details && isDetailOf(details, key)) {
      later(function () { return showDetail(key); })();
    } else if (!document.getElementById(key)) {
      // A detail's anchor is no element of the page (its block is not shown yet).
      loadDetails().then(later(function () {
        return isDetailOf(details, key) ? showDetail(key) : null;
      }));
    }
    // Anything else is an element of the page: the browser has scrolled there itself.
  }
  window.addEventListener('hashchange', follow);
  follow();
})();
