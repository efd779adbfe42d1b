/**
 * The inspector's page: one HTML document, its style and its script inline (no framework:
 * a tree, a few tables and sparklines are a few hundred lines of DOM code). It listens to
 * `/events` (server-sent events, one snapshot each) and redraws; message rates and the
 * sparklines come from the difference between two snapshots' `handled` counts.
 *
 * The tree and the details are written as HTML, then patched into the page (`morph`): the
 * elements still wanted stay (tree rows matched by their `data-key`, the rest by position
 * and tag) and only what changed changes, so the selected actor's details follow its
 * figures without being rebuilt. A row is selected when it is pressed: an update that lands
 * before the release may replace or move what was pressed, and the browser then fires no
 * click.
 *
 * The page is ASCII: its script writes other characters as `\u` escapes, its HTML as
 * entities. The library is bundled into the `multitask-copy` command, which V8 then holds
 * and reads one byte per character (one character outside ASCII makes it two).
 * @internal
 * @packageDocumentation
 */

const STYLE = String.raw`
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 8px 16px; display: flex; gap: 24px; align-items: baseline; }
header h1 { font-size: 15px; margin: 0; }
main { display: grid; grid-template-columns: minmax(420px, 3fr) minmax(300px, 2fr); gap: 12px; padding: 12px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 12px; overflow: auto; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #5b6475; margin: 4px 0 8px; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 16px; }
ul.tree { padding-left: 0; }
.row { display: flex; gap: 8px; align-items: center; padding: 1px 4px; border-radius: 4px; cursor: pointer; white-space: nowrap; }
.row:hover, .row.selected { background: #eef2fb; }
.toggle { width: 12px; color: #5b6475; }
.dot { width: 9px; height: 9px; border-radius: 50%; display: inline-block; flex: none; }
.running { background: #2fa84f; } .starting { background: #e0b400; } .halted { background: #d93f3f; }
.stopping, .stopped { background: #9aa3b2; } .supervisor { background: #3d6fd9; border-radius: 2px; } .node { background: #1d2330; border-radius: 2px; }
.muted { color: #7a8394; } .num { font-variant-numeric: tabular-nums; }
.badge { background: #fde8e8; color: #a12a2a; border-radius: 8px; padding: 0 6px; font-size: 11px; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eef0f3; }
.bar { background: #eef0f3; border-radius: 3px; height: 8px; width: 120px; display: inline-block; vertical-align: middle; }
.bar > span { display: block; height: 100%; border-radius: 3px; background: #3d6fd9; }
pre { background: #1d2330; color: #f0f2f5; padding: 8px; border-radius: 4px; white-space: pre-wrap; font-size: 11px; }
svg.spark { vertical-align: middle; }
`;

const SCRIPT = String.raw`
'use strict';
const state = { snapshot: undefined, previous: undefined, collapsed: new Set(), selected: undefined, history: new Map(), rates: new Map() };
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v === undefined || v === null ? '' : v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const mb = (bytes) => bytes === undefined ? '?' : (bytes / 1048576).toFixed(1) + ' MB';
const LIMIT = 2000;

/** Makes element's children those of html, keeping every node that is still wanted. */
function morph(element, html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  morphChildren(element, template.content);
}

const keyOf = (node) => node.nodeType === 1 ? node.getAttribute('data-key') : null;

/** Keyed children (tree rows) are matched by key, the others by position and tag. */
function morphChildren(from, to) {
  const wanted = new Set(Array.from(to.children, keyOf));
  const keyed = new Map();
  for (const child of from.children) if (keyOf(child) !== null) keyed.set(keyOf(child), child);
  let at = from.firstChild;
  for (const next of Array.from(to.childNodes)) {
    while (at !== null && keyOf(at) !== null && !wanted.has(keyOf(at))) { const gone = at; at = at.nextSibling; gone.remove(); }
    const key = keyOf(next);
    const have = key !== null ? keyed.get(key) : at !== null && keyOf(at) === null && at.nodeName === next.nodeName ? at : undefined;
    if (have === undefined) { from.insertBefore(next, at); continue; }
    keyed.delete(key);
    if (have === at) at = at.nextSibling; else from.insertBefore(have, at);
    patch(have, next);
  }
  while (at !== null) { const gone = at; at = at.nextSibling; gone.remove(); }
}

function patch(have, next) {
  if (have.nodeType !== 1) {
    if (have.nodeValue !== next.nodeValue) have.nodeValue = next.nodeValue;
    return;
  }
  for (const attribute of Array.from(have.attributes)) if (!next.hasAttribute(attribute.name)) have.removeAttribute(attribute.name);
  for (const attribute of Array.from(next.attributes)) if (have.getAttribute(attribute.name) !== attribute.value) have.setAttribute(attribute.name, attribute.value);
  morphChildren(have, next);
}

function spark(values) {
  if (values.length < 2) return '';
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => (i * 60 / (values.length - 1)).toFixed(1) + ',' + (15 - v / max * 14).toFixed(1)).join(' ');
  return '<svg class="spark" width="60" height="16"><polyline fill="none" stroke="#3d6fd9" stroke-width="1.2" points="' + points + '"/></svg>';
}

function bar(share) {
  const pct = Math.max(0, Math.min(100, Math.round(share * 100)));
  return '<span class="bar"><span style="width:' + pct + '%"></span></span> <span class="num">' + pct + '%</span>';
}

/** One view of every node: this system's lists with its peers' appended, each tree under its node's name. */
function merged(snapshot) {
  const peers = snapshot.peers || [];
  if (peers.length === 0) return snapshot;
  const answered = peers.filter((p) => p.snapshot);
  const all = [snapshot].concat(answered.map((p) => p.snapshot));
  const flat = (key) => all.reduce((list, s) => list.concat(s[key]), []);
  const deadLetters = {};
  for (const s of all) for (const code in s.deadLetters) deadLetters[code] = (deadLetters[code] || 0) + s.deadLetters[code];
  const tree = [{ kind: 'node', id: snapshot.node, children: snapshot.tree }].concat(peers.map((p) => ({ kind: 'node', id: p.node + (p.snapshot ? '' : ' (no answer)'), children: p.snapshot ? p.snapshot.tree : [] })));
  return { system: snapshot.system, node: snapshot.node, at: snapshot.at, tree, actors: flat('actors'), supervisors: flat('supervisors'), hosts: flat('hosts'), channels: flat('channels'), pools: flat('pools'), deadLetters, peers };
}

function measure(snapshot) {
  const previous = state.snapshot;
  const seconds = previous === undefined ? 0 : (snapshot.at - previous.at) / 1000;
  const before = new Map((previous ? previous.actors : []).map((a) => [a.id, a.handled]));
  for (const a of snapshot.actors) {
    const was = before.get(a.id);
    const rate = seconds > 0 && was !== undefined ? Math.max(0, (a.handled - was) / seconds) : 0;
    state.rates.set(a.id, rate);
    const history = state.history.get(a.id) || [];
    history.push(rate);
    if (history.length > 30) history.shift();
    state.history.set(a.id, history);
  }
}

function actorRow(a) {
  const rate = state.rates.get(a.id) || 0;
  const name = a.label || a.name || a.id;
  return '<span class="dot ' + esc(a.status) + '" title="' + esc(a.status) + '"></span>' +
    '<b>' + esc(name) + '</b> <span class="muted">' + esc(a.definition) + ' \u00b7 ' + esc(a.placement) + '</span>' +
    ' <span class="num" title="mailbox depth">\u2709 <span class="depth">' + a.mailbox.depth + '</span></span>' +
    ' <span class="num" title="messages handled"># <span class="handled">' + a.handled + '</span></span>' +
    ' <span class="num rate" title="messages per second">' + rate.toFixed(0) + '/s</span> ' + spark(state.history.get(a.id) || []) +
    (a.restarts > 0 ? ' <span class="badge">\u21bb ' + a.restarts + '</span>' : '') +
    (a.lastCrash ? ' <span class="badge">crashed</span>' : '');
}

function renderTree(snapshot) {
  const actors = new Map(snapshot.actors.map((a) => [a.id, a]));
  let shown = 0;
  const node = (n) => {
    if (shown++ > LIMIT) return '';
    const key = n.kind + ':' + n.id;
    const open = !state.collapsed.has(key);
    const toggle = n.children.length > 0 ? (open ? '\u25be' : '\u25b8') : '';
    const a = actors.get(n.id);
    const body = n.kind === 'supervisor' ? '<span class="dot supervisor"></span><b>' + esc(n.id) + '</b> <span class="muted">supervisor</span>'
      : n.kind === 'node' ? '<span class="dot node"></span><b>node ' + esc(n.id) + '</b>' : a ? actorRow(a) : esc(n.id);
    const cls = state.selected === n.id ? ' selected' : '';
    const kids = open && n.children.length > 0 ? '<ul>' + n.children.map(node).join('') + '</ul>' : '';
    return '<li data-key="' + esc(key) + '"><div class="row' + cls + '" data-kind="' + n.kind + '" data-id="' + esc(n.id) + '" data-key="' + esc(key) + '"><span class="toggle">' + toggle + '</span>' + body + '</div>' + kids + '</li>';
  };
  const more = snapshot.actors.length > LIMIT ? '<p class="muted">showing the first ' + LIMIT + ' of ' + snapshot.actors.length + ' actors</p>' : '';
  morph($('tree'), '<ul class="tree">' + snapshot.tree.map(node).join('') + '</ul>' + more);
}

function renderDetails(snapshot) {
  const a = snapshot.actors.find((x) => x.id === state.selected);
  if (a === undefined) return void morph($('details'), '<p class="muted">Click an actor to see its details.</p>');
  const rows = [['id', a.id], ['name', a.name], ['path', a.label], ['definition', a.definition + ' (' + a.key + ')'], ['placement', a.placement], ['node', a.node], ['status', a.status],
    ['mailbox', a.mailbox.depth + ' / ' + (a.mailbox.capacity === null ? '\u221e' : a.mailbox.capacity)], ['handled', a.handled], ['rate', (state.rates.get(a.id) || 0).toFixed(1) + ' msg/s'],
    ['parent', a.parent], ['supervisor', a.supervisor], ['restarts', a.restarts]];
  const crash = a.lastCrash ? '<h2>Last crash</h2><p>' + esc(a.lastCrash.reason) + ' at ' + esc(new Date(a.lastCrash.at).toISOString()) + ': ' + esc(a.lastCrash.message) + '</p><pre>' + esc(a.lastCrash.stack || '') + '</pre>' : '';
  morph($('details'), '<table>' + rows.map((r) => '<tr><th>' + r[0] + '</th><td>' + esc(r[1]) + '</td></tr>').join('') + '</table>' + crash);
}

function renderTables(snapshot) {
  $('hosts').innerHTML = '<table><tr><th>node</th><th>kind</th><th>pid / thread</th><th>actors</th><th>heap</th><th>rss</th></tr>' + snapshot.hosts.map((h) =>
    '<tr><td>' + esc(h.node) + '</td><td>' + esc(h.kind) + (h.responsive ? '' : ' <span class="badge">unresponsive</span>') + '</td><td class="num">' + h.pid + ' / ' + h.threadId + '</td><td class="num">' + h.actors + '</td><td>' +
    (h.memory ? bar(h.memory.heapUsed / h.memory.heapTotal) + ' ' + mb(h.memory.heapUsed) : '?') + '</td><td class="num">' + mb(h.memory && h.memory.rss) + '</td></tr>').join('') + '</table>';
  $('pools').innerHTML = snapshot.pools.length === 0 ? '<p class="muted">no pools</p>' : snapshot.pools.map((p) =>
    '<p><b>' + esc(p.id) + '</b> <span class="muted">' + p.size + ' ' + esc(p.placement) + 's \u00b7 queued ' + p.queued + ' \u00b7 running ' + p.running + ' \u00b7 done ' + p.completed + ' \u00b7 failed ' + p.failed + '</span></p><table>' +
    p.workers.map((w) => '<tr><td>' + esc(w.id) + '</td><td>' + bar(w.utilisation) + '</td><td class="num">' + w.completed + ' done</td></tr>').join('') + '</table>').join('');
  $('channels').innerHTML = snapshot.channels.length === 0 ? '<p class="muted">no shared channels</p>' : '<table><tr><th>channel</th><th>fill</th><th>items in</th><th>participants</th></tr>' + snapshot.channels.map((c) =>
    '<tr><td>' + esc(c.id) + (c.closed ? ' <span class="muted">closed</span>' : '') + '</td><td>' + (c.capacity === null ? c.size + ' / \u221e' : bar(c.size / c.capacity) + ' ' + c.size + '/' + c.capacity) + '</td><td class="num">' + c.sent + '</td><td>' + esc(c.participants.join(', ')) + '</td></tr>').join('') + '</table>';
  const dead = Object.entries(snapshot.deadLetters);
  $('dead').textContent = dead.length === 0 ? 'no dead letters' : 'dead letters: ' + dead.map((d) => d[0] + ' ' + d[1]).join(', ');
}

function render(whole) {
  const snapshot = merged(whole);
  measure(snapshot);
  state.snapshot = snapshot;
  $('system').textContent = snapshot.system + (snapshot.node !== snapshot.system ? ' (' + snapshot.node + ')' : '');
  $('count').textContent = snapshot.actors.length + ' actors \u00b7 ' + snapshot.hosts.length + ' hosts' + (snapshot.peers.length > 0 ? ' \u00b7 ' + (snapshot.peers.length + 1) + ' nodes' : '');
  $('at').textContent = new Date(snapshot.at).toLocaleTimeString();
  renderTree(snapshot);
  renderDetails(snapshot);
  renderTables(snapshot);
}

/** A press on the tree selects the actor pressed, or folds or unfolds the branch of the toggle pressed. */
function press(event) {
  const row = event.target.closest('.row');
  if (!row) return;
  if (event.target.classList.contains('toggle')) {
    const key = row.dataset.key;
    if (state.collapsed.has(key)) state.collapsed.delete(key); else state.collapsed.add(key);
  } else if (row.dataset.kind === 'actor') state.selected = row.dataset.id;
  if (state.snapshot) { renderTree(state.snapshot); renderDetails(state.snapshot); }
}

// Taken at the press, not at the click: an update may move the row from under the pointer
// before the release (an actor above it stopped), and then the browser fires no click on it.
// A click with no press before it (detail 0: the keyboard's, a script's) counts as one.
$('tree').addEventListener('mousedown', (event) => { if (event.button === 0) press(event); });
$('tree').addEventListener('click', (event) => { if (event.detail === 0) press(event); });

const token = new URLSearchParams(location.search).get('token') || '';
const events = new EventSource('/events?token=' + encodeURIComponent(token));
events.onmessage = (message) => render(JSON.parse(message.data));
events.addEventListener('end', () => { events.close(); $('at').textContent = 'the system has shut down'; });
events.onerror = () => { $('at').textContent = 'disconnected; retrying\u2026'; };
`;

/** The inspector's page. @internal */
export function inspectorPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>multitask inspector</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<header><h1>multitask inspector</h1><span id="system"></span><span id="count"></span><span id="dead"></span><span id="at" class="muted">connecting&hellip;</span></header>
<main>
<section><h2>Actor tree</h2><div id="tree"></div></section>
<section><h2>Details</h2><div id="details"></div></section>
<section><h2>Hosts</h2><div id="hosts"></div></section>
<section><h2>Pools</h2><div id="pools"></div><h2>Channels</h2><div id="channels"></div></section>
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
