// The partition status matrix of a partitioned job or asset, from GET /api/v1/jobs/{name}/partitions or
// GET /api/v1/assets/{key}/partitions (paged in partition order): one cell per partition coloured by its status
// (MATERIALIZED, FAILED, RUNNING, STALE, MISSING), linking to the partition's latest run. Two-dimensional keys
// (`2026-01-15|eu`) are laid out as a table: rows by the first dimension, columns by the second.
import { h, notice, fill } from './dom.js';
import { api, enc } from './api.js';

const STATUSES = ['MATERIALIZED', 'FAILED', 'RUNNING', 'STALE', 'MISSING'];
const PAGE = 500;

/**
 * Whether a job definition (the API's JSON, in the job file's shape: `partitions` holds one kind, `{daily: {...}}`,
 * or `{dimensions: {date: {...}, region: {...}}}`) declares partitions.
 */
export function partitioned(definition) {
  const p = definition && definition.partitions;
  return !!(p && typeof p === 'object' && Object.keys(p).length);
}

/** A section that loads and shows the matrix; `path` is the API path ending in /partitions. */
export function partitionMatrix(path, { title = 'Partitions' } = {}) {
  const items = [];
  let cursor = null;
  const body = h('div', { class: 'partition-body' }, h('p', { class: 'muted' }, 'Loading partitions…'));
  const section = h('section', { id: 'partitions' }, h('h2', {}, title), body);
  const cell = (p) => {
    const st = String(p.status || 'MISSING');
    const when = p.updatedAt ? new Date(p.updatedAt) : null;
    const label = `${p.partition}: ${st.toLowerCase()}` + (when ? ` · ${when.toLocaleString()} (UTC: ${when.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')})` : '')
      + (p.staleBecause ? ` · upstream ${p.staleBecause.asset} newer` : '');
    const attrs = { class: ['pcell', 'ps-' + st.toLowerCase()], title: label, 'aria-label': label, dataset: { partition: p.partition, status: st } };
    return p.runId ? h('a', { ...attrs, href: '/runs/' + enc(p.runId) }) : h('span', { ...attrs, role: 'img' });
  };
  const render = () => {
    const counts = {};
    for (const p of items) counts[p.status] = (counts[p.status] || 0) + 1;
    const legend = h('p', { class: 'small partition-legend' }, STATUSES.concat(Object.keys(counts).filter(k => !STATUSES.includes(k))).map(k =>
      h('span', { class: 'legend-item' }, h('span', { class: ['pcell', 'ps-' + k.toLowerCase()], 'aria-hidden': 'true' }), ` ${k.toLowerCase()} ${counts[k] || 0}`)),
    `${items.length} partition${items.length === 1 ? '' : 's'}${cursor ? ' shown, more follow' : ''}`);
    let grid;
    if (items.length && items.every(p => String(p.partition).includes('|'))) {
      const rows = [], cols = [], byKey = new Map();
      for (const p of items) {
        const [r, c] = String(p.partition).split('|');
        if (!rows.includes(r)) rows.push(r);
        if (!cols.includes(c)) cols.push(c);
        byKey.set(r + '|' + c, p);
      }
      grid = h('div', { class: 'graph-wrap' }, h('table', { class: 'pmatrix', id: 'partition-matrix' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), cols.map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map(r => h('tr', {}, h('th', { scope: 'row' }, r), cols.map(c => h('td', {}, byKey.has(r + '|' + c) ? cell(byKey.get(r + '|' + c)) : '')))))));
    } else {
      grid = h('div', { class: 'pgrid', id: 'partition-matrix' }, items.map(cell));
    }
    const more = cursor ? h('button', { type: 'button', class: 'secondary', id: 'partitions-more', onclick: load }, `Show ${PAGE} more`) : null;
    fill(body, legend, items.length ? grid : h('p', { class: 'muted' }, 'No partitions yet.'), more);
  };
  async function load() {
    try {
      const page = await api.get(path + '?limit=' + PAGE + (cursor ? '&cursor=' + enc(cursor) : ''));
      items.push(...(page.items || []));
      cursor = page.nextCursor || null;
      render();
    } catch (e) {
      fill(body, notice('error', 'Could not read the partitions: ' + e.message));
    }
  }
  load();
  return section;
}
