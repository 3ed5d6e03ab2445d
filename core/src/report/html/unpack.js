// Decodes the large report page's embedded data blocks (plain ES2017, no library, no network).
//
// Why: a province's page embeds tens of megabytes of JSON (the map's layers, the long tables'
// rows, the verdicts and site terms); hecun writes each block gzip-compressed and base64'd
// (`<script type="application/json" data-encoding="gzip+base64">`, see html/packed.rs) so the
// file is a few times smaller to mail and to read from a stick, and the browser inflates it
// with its own DecompressionStream (Chromium 80+, Firefox 113+, Safari 16.4+). Decoding is
// asynchronous, so the map and the tables start when their data is there; until then the page
// shows what hecun wrote as HTML (each table's first page).
//
// window.hecunUnpack(el, use): reads el's block once (its text is dropped, so the data is held
// once), decodes it, calls use(data); a promise of use's result.
// window.hecunReady: a promise, settled once the page has loaded and every block asked for by
// then is decoded and used (the browser checks wait for it; see tests/browser/README.md).
(function () {
  'use strict';
  var me = document.currentScript;
  var message = (me && me.getAttribute('data-unsupported')) || '';
  var supported = typeof DecompressionStream === 'function' && typeof Blob === 'function' &&
    typeof Blob.prototype.stream === 'function' && typeof Response === 'function';
  var pending = [];

  // A browser that cannot inflate gzip says so where the reader looks, under the page's
  // heading: the map and the full tables need their data (the first page of each table is
  // there as HTML all the same).
  function tell() {
    var p = document.createElement('p');
    p.className = 'note';
    p.id = 'unsupported-browser';
    p.setAttribute('role', 'alert');
    p.style.cssText = 'border: 2px solid #c0392b; padding: 6px 10px; font-weight: bold;';
    p.textContent = message;
    var header = document.querySelector('body > header');
    document.body.insertBefore(p, header ? header.nextSibling : document.body.firstChild);
  }
  if (!supported) {
    if (document.body && document.readyState !== 'loading') tell();
    else document.addEventListener('DOMContentLoaded', tell);
  }

  // Base64 to bytes.
  function bytes(b64) {
    var s = atob(b64);
    var a = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }

  function decode(el) {
    var text = el.textContent;
    el.textContent = ''; // held once, as data
    if (el.getAttribute('data-encoding') !== 'gzip+base64') {
      return Promise.resolve(JSON.parse(text));
    }
    // Nothing to draw without the data: the message above says why; no error.
    if (!supported) return new Promise(function () {});
    var stream = new Blob([bytes(text)]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(function (json) { return JSON.parse(json); });
  }

  window.hecunUnpack = function (el, use) {
    var p = decode(el).then(use);
    pending.push(p);
    return p;
  };
  window.hecunReady = new Promise(function (resolve) {
    function settle() { resolve(Promise.all(pending).then(function () { return true; })); }
    if (document.readyState === 'complete') settle();
    else window.addEventListener('load', settle);
  });
})();
