"""The page's own CSS and script (inserted in ``<head>``; no outside requests).

The script does two things Gradio has no API for:

- a click on a citation (``[n]`` or its box) reads the span from the box's source line and writes
  it to the hidden ``#qa-pick`` textbox, whose ``change`` event asks the server for that span
  in the document panel; on a narrow screen the panel is scrolled into view;
- when the connection to the server is lost mid-answer (Gradio shows an error toast, or the
  chat's status shows "Error"), the
  unfinished progress line says so and what to do;
- a message's Copy button copies the message as plain text (answer, then each citation with its
  source and quoted context) instead of Gradio's raw HTML.
"""

from __future__ import annotations

CSS = """
mark.cite { background: #ffe066; color: #111; padding: 0 2px; border-radius: 3px; }
.cite-box { border-left: 3px solid #f0b400; padding: 4px 8px; margin: 6px 0; font-size: 0.92em; cursor: pointer; }
.cite-box:hover { background: rgba(240, 180, 0, 0.08); }
a.ref { font-weight: 600; text-decoration: none; cursor: pointer; }
.cite-src { color: #666; font-size: 0.85em; }
.refusal, .error { color: #8a4b00; font-weight: 600; }
.stage, .stopped { color: #666; font-style: italic; }
#qa-doc-panel .cite-src { display: block; margin-bottom: 6px; }
.doc-view { white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; max-height: 520px; overflow-y: auto; }
.doc-table-wrap { max-width: 100%; overflow-x: auto; -webkit-overflow-scrolling: touch; }
.doc-table { width: 100%; font-size: 0.9em; border-collapse: collapse; }
.doc-table td, .doc-table th { padding: 4px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.doc-table td:first-child { overflow-wrap: anywhere; }  /* long file names wrap instead of widening the table */
.doc-table td:not(:first-child), .doc-table th { white-space: nowrap; }
.qa-footer { text-align: center; font-size: 0.85em; color: #666; padding: 8px 0; }
#qa-pick { display: none !important; }
"""

SCRIPT = """
<script>
(function () {
  var LINE = /^(.*) · characters (\\d+)–(\\d+)$/;
  function spanOf(box) {
    var src = box && box.querySelector('.cite-src');
    var m = src && LINE.exec(src.innerText.trim());
    return m ? {source: m[1], start: Number(m[2]), end: Number(m[3])} : null;
  }
  function showSpan(span) {
    var input = document.querySelector('#qa-pick textarea, #qa-pick input');
    if (!input || !span) { return; }
    span.at = Date.now();
    input.value = JSON.stringify(span);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    var panel = document.getElementById('qa-doc-panel');
    if (panel && window.matchMedia('(max-width: 900px)').matches) {
      panel.scrollIntoView({behavior: 'smooth', block: 'start'});
    }
  }
  function plainText(message) {
    var body = message.querySelector('p');
    var out = [(body ? body.innerText : message.innerText).trim()];
    message.querySelectorAll('.cite-box').forEach(function (b) {
      var n = (b.querySelector('b') || {}).innerText || '';
      var src = (b.querySelector('.cite-src') || {}).innerText || '';
      var quote = (b.querySelector('mark') || {}).innerText || '';
      out.push(n + ' ' + src + ': "' + quote + '"');
    });
    return out.join('\\n');
  }
  var centred = new WeakSet();
  function centreMark() {  // bring the marked span into view inside the document panel
    var mark = document.querySelector('#qa-doc-panel .doc-view mark');
    if (!mark || centred.has(mark)) { return; }
    centred.add(mark);
    var view = mark.closest('.doc-view');
    view.scrollTop = Math.max(0, mark.offsetTop - view.offsetTop - view.clientHeight / 3);
  }
  function markLostAnswer() {  // the server went away mid-answer: say so where the answer was
    var rows = document.querySelectorAll('#qa-chat .message-row');
    var stage = rows.length ? rows[rows.length - 1].querySelector('.stage') : null;
    if (!stage) { return; }
    var toast = Array.prototype.some.call(document.querySelectorAll('[data-testid="toast-body"], .toast-body'),
                                          function (t) { return /connection/i.test(t.innerText); });
    var failed = Array.prototype.some.call(document.querySelectorAll('#qa-chat [data-testid="status-tracker"]:not(.hide)'),
                                           function (t) { return /error/i.test(t.innerText); });
    if (!toast && !failed) { return; }
    stage.className = 'error lost';
    stage.textContent = 'Lost the connection to the server while answering. ' + (toast
      ? 'The page reloads by itself when the server is back; then ask again.'
      : 'Reload the page when the server is back, then ask again.');
  }
  new MutationObserver(function () { centreMark(); markLostAnswer(); })
    .observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener('click', function (ev) {
    var t = ev.target instanceof Element ? ev.target : null;
    if (!t || !t.closest('#qa-chat')) { return; }
    var ref = t.closest('a.ref');
    var box = ref ? document.getElementById((ref.getAttribute('href') || '').slice(1)) : t.closest('.cite-box');
    if (box) {
      ev.preventDefault();
      if (ref) { box.scrollIntoView({block: 'nearest'}); }
      showSpan(spanOf(box));
      return;
    }
    var button = t.closest('button');
    var label = button ? (button.getAttribute('aria-label') || button.title || '') : '';
    if (button && /^copy/i.test(label) && !/all/i.test(label)) {
      var row = button.closest('.message-buttons');  // the bar follows its message row
      while (row && !(row.classList.contains('message-row') && row.querySelector('.message-content'))) {
        row = row.previousElementSibling;
      }
      if (!row || !navigator.clipboard) { return; }
      var text = Array.prototype.map.call(row.querySelectorAll('.message-content'), plainText).join('\\n\\n');
      ev.preventDefault();
      ev.stopPropagation();
      navigator.clipboard.writeText(text);
      button.setAttribute('data-copied', 'true');
    }
  }, true);
})();
</script>
"""
