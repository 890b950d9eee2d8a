// Small DOM helpers: elements are built with text nodes only (never innerHTML), so API data cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(node, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'value' && 'value' in node) node.value = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** An HTML element: h('a', {href: '/runs'}, 'Runs'). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** A <time> in the viewer's zone, with UTC on hover. */
export function time(iso, opts = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  const text = opts.short
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return h('time', { datetime: iso, title: 'UTC: ' + d.toISOString().replace('T', ' ').replace('Z', ' UTC') }, text);
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '—';
  if (ms < 1000) return ms + ' ms';
  const sec = ms / 1000;
  if (sec < 60) return sec.toFixed(1) + ' s';
  const m = Math.floor(sec / 60), rs = Math.round(sec % 60);
  if (m < 60) return `${m} min ${rs} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function badge(status) {
  return h('span', { class: ['badge', 'st-' + String(status || 'unknown').toLowerCase()], 'data-status': status }, status || '?');
}

export function shortId(id) {
  return id && id.length > 12 ? id.slice(0, 8) + '…' : id;
}

export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'Nothing here yet.'))));
}

export function kv(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'none');
  return h('dl', { class: 'kv' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v instanceof Node ? v : String(v))]));
}

export function notice(kind, ...children) {
  return h('div', { class: ['notice', kind], role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

export const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'REJECTED']);

/** Replaces a node's children, skipping null/false/undefined (replaceChildren would print them as text). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
  return node;
}
