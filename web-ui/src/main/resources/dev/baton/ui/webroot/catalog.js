// Jobs (definition, versions, recent runs, run form), assets (catalog, detail, lineage graph), schedules, agents.
import { h, s, time, duration, badge, shortId, table, kv, notice, fill } from './dom.js';
import { api, enc, assetPath, ApiError } from './api.js';
import { can, navigate, onLeave, stillOn } from './app.js';
import { diffView } from './diff.js';
import { partitioned, partitionMatrix } from './partitions.js';

// ---------------------------------------------------------------- jobs

export async function jobsPage(main) {
  document.title = 'Jobs · Baton';
  const jobs = await api.get('/api/v1/jobs?limit=1000');
  fill(main, h('h1', {}, 'Jobs'), table(['Job', 'Version', 'Description', 'Steps', 'Schedules', 'Produces', 'Registered'],
    jobs.items.map(j => h('tr', {},
      h('td', {}, h('a', { href: '/jobs/' + enc(j.name) }, j.name)), h('td', { class: 'num' }, 'v' + j.version),
      h('td', {}, j.description || ''), h('td', {}, j.steps.join(', ')), h('td', {}, (j.schedules || []).join(', ')),
      h('td', {}, (j.produces || []).map(a => h('a', { href: '/assets/' + assetPath(a), class: 'chip' }, a))),
      h('td', {}, time(j.registeredAt)))), { id: 'jobs-table' }));
}

export async function jobPage(main, name) {
  document.title = name + ' · Baton';
  const q = new URLSearchParams(location.search);
  const version = q.get('version');
  const job = await api.get('/api/v1/jobs/' + enc(name) + (version ? '?version=' + enc(version) : ''));
  const runs = await api.get('/api/v1/runs?limit=20&job=' + enc(name));
  const finished = runs.items.filter(r => r.status === 'SUCCEEDED' || r.status === 'FAILED');
  const rate = finished.length ? Math.round(100 * finished.filter(r => r.status === 'SUCCEEDED').length / finished.length) : null;
  fill(main, 
    h('div', { class: 'titlebar' }, h('h1', {}, name), h('span', { class: 'muted' }, 'v' + job.version + (job.version !== job.latestVersion ? ' (latest v' + job.latestVersion + ')' : ''))),
    job.description ? h('p', {}, job.description) : null,
    h('div', { class: 'grid2' },
      h('section', {}, h('h2', {}, 'Run'), can('operator') ? runForm(job) : h('p', { class: 'muted' }, 'Your role (' + 'viewer' + ') cannot trigger runs.')),
      h('section', {}, h('h2', {}, 'Recent runs'),
        h('p', {}, rate === null ? 'No finished runs yet.' : `${rate}% succeeded of the last ${finished.length} finished runs. `, sparkline(runs.items)),
        table(['Run', 'Status', 'Requested', 'Duration'], runs.items.map(r => h('tr', {},
          h('td', {}, h('a', { href: '/runs/' + enc(r.runId), class: 'mono' }, shortId(r.runId))), h('td', {}, badge(r.status)),
          h('td', {}, time(r.requestedAt)), h('td', { class: 'num' }, duration(r.durationMs))))),
        h('a', { href: '/runs?job=' + enc(name) }, 'All runs of ' + name + ' →'))),
    partitioned(job.definition) ? partitionMatrix('/api/v1/jobs/' + enc(name) + '/partitions') : null,
    h('h2', {}, 'Versions'),
    h('p', { id: 'versions' }, job.versions.slice().reverse().map(v => [h('a', { href: '/jobs/' + enc(name) + '?version=' + v,
      class: ['chip', String(v) === String(job.version) ? 'active' : null] }, 'v' + v), ' '])),
    await versionCompare(name, job),
    (job.schedules || []).length ? [h('h2', {}, 'Schedules'), h('p', {}, job.schedules.join(', '), ' — ', h('a', { href: '/schedules' }, 'see schedules'))] : null,
    h('h2', {}, 'Definition'),
    h('pre', { id: 'definition', class: 'code', tabindex: 0 }, job.source || JSON.stringify(job.definition, null, 2)));
}

/** Two version pickers and the line diff of their definitions (`?compare=A&version=B`, shareable). */
async function versionCompare(name, job) {
  if (job.versions.length < 2) return null;
  const q = new URLSearchParams(location.search);
  const to = String(job.version);
  const from = q.get('compare');
  const older = job.versions.filter(v => String(v) !== to);
  const pick = (id, label, value, list) => h('label', {}, label + ' ', h('select', { id },
    list.slice().reverse().map(v => h('option', { value: v, selected: String(v) === String(value) }, 'v' + v))));
  const form = h('form', { id: 'compare-form', class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    const a = form.querySelector('#compare-from').value, b = form.querySelector('#compare-to').value;
    navigate('/jobs/' + enc(name) + '?' + new URLSearchParams({ version: b, compare: a }));
  } }, pick('compare-from', 'Compare', from || older[older.length - 1], job.versions), pick('compare-to', 'with', to, job.versions),
  h('button', { type: 'submit', class: 'secondary', id: 'compare-submit' }, 'Show changes'));
  if (!from) return h('section', { id: 'compare' }, form);
  let base;
  try { base = await api.get('/api/v1/jobs/' + enc(name) + '?version=' + enc(from)); } catch (e) {
    return h('section', { id: 'compare' }, form, notice('error', e.message));
  }
  const text = (j) => j.source || JSON.stringify(j.definition, null, 2);
  return h('section', { id: 'compare' }, form, h('h3', {}, `Changes from v${base.version} to v${job.version}`),
    diffView(text(base), text(job), { id: 'version-diff', 'aria-label': `Changes from v${base.version} to v${job.version}` }));
}

/** Duration bars of recent runs (oldest left), coloured by status. */
function sparkline(items) {
  const list = items.slice().reverse().filter(r => r.durationMs !== undefined);
  if (list.length < 2) return null;
  const max = Math.max(...list.map(r => r.durationMs), 1);
  const W = 8 * list.length, H = 28;
  return s('svg', { class: 'spark', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Durations of recent runs' },
    list.map((r, i) => { const bh = Math.max(2, (r.durationMs / max) * H); return s('rect', { x: i * 8, y: H - bh, width: 6, height: bh, class: 'bar st-' + r.status.toLowerCase() }, s('title', {}, r.status + ' · ' + duration(r.durationMs))); }));
}

function runForm(job) {
  const params = (job.definition && job.definition.params) || {};
  const errors = h('div', { id: 'run-form-errors', 'aria-live': 'assertive' });
  const fields = Object.entries(params).map(([pname, spec0]) => {
    const spec = typeof spec0 === 'object' && spec0 !== null ? spec0 : { default: spec0 };
    const required = spec.required === true && (spec.default === undefined || spec.default === null);
    const input = h('input', { id: 'param-' + pname, name: pname, value: spec.default ?? '', required, 'aria-required': required ? 'true' : null,
      placeholder: spec.default ?? '' });
    return h('div', { class: 'field' }, h('label', { for: 'param-' + pname }, pname, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
      input, spec.description ? h('div', { class: 'small muted' }, spec.description) : null);
  });
  const form = h('form', { id: 'run-form', class: 'card', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const values = {}, problems = [];
    for (const input of form.querySelectorAll('input[name]')) {
      input.removeAttribute('aria-invalid');
      if (input.value !== '') values[input.name] = input.value;
      else if (input.required) { problems.push(input.name + ' is required'); input.setAttribute('aria-invalid', 'true'); }
    }
    if (problems.length) {
      fill(errors, notice('error', problems.join('; ')));
      form.querySelector('[aria-invalid]').focus();
      return;
    }
    fill(errors, );
    try {
      const r = await api.post('/api/v1/jobs/' + enc(job.name) + '/runs', { params: values });
      navigate('/runs/' + enc(r.runId));
    } catch (e) {
      const list = e instanceof ApiError && e.body.problems ? e.body.problems.map(p => p.path + ': ' + p.message).join('; ') : e.message;
      fill(errors, notice('error', list));
    }
  } }, fields.length ? fields : h('p', { class: 'muted' }, 'This job declares no params.'),
  h('button', { type: 'submit', id: 'run-submit' }, 'Run ' + job.name), errors);
  return form;
}

// ---------------------------------------------------------------- assets

export async function assetsPage(main) {
  document.title = 'Assets · Baton';
  const all = [];
  let cursor = null;
  do {
    const page = await api.get('/api/v1/assets?limit=1000' + (cursor ? '&cursor=' + enc(cursor) : ''));
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && all.length < 20000);
  const search = h('input', { id: 'asset-search', type: 'search', placeholder: 'Search by key, group or owner', 'aria-label': 'Search assets',
    value: new URLSearchParams(location.search).get('q') || '' });
  const body = h('div', {});
  const show = () => {
    const q = search.value.toLowerCase();
    const list = all.filter(a => !q || [a.assetKey, a.group, ...(a.owners || [])].some(x => x && x.toLowerCase().includes(q)));
    fill(body, table(['Asset', 'Group', 'Owners', 'Produced by', 'Last materialized', 'Freshness', 'Failing checks'], list.slice(0, 500).map(a => h('tr', {},
      h('td', {}, h('a', { href: '/assets/' + assetPath(a.assetKey) }, a.assetKey)), h('td', {}, a.group || ''), h('td', {}, (a.owners || []).join(', ')),
      h('td', {}, a.declaredBy ? h('a', { href: '/jobs/' + enc(a.declaredBy.job) }, a.declaredBy.job + '.' + a.declaredBy.step) : h('span', { class: 'muted' }, 'undeclared')),
      h('td', {}, time(a.lastMaterializedAt)), h('td', {}, a.freshness ? badge(a.freshness.status) : ''),
      h('td', { class: 'num' }, a.failingChecks ? h('span', { class: 'err' }, a.failingChecks.length ?? a.failingChecks) : ''))), { id: 'assets-table' }),
    list.length > 500 ? h('p', { class: 'muted' }, `Showing 500 of ${list.length}; refine the search.`) : null);
  };
  search.addEventListener('input', () => { history.replaceState(null, '', '/assets' + (search.value ? '?q=' + enc(search.value) : '')); show(); });
  fill(main, h('h1', {}, 'Assets'), h('div', { class: 'filters' }, search), body);
  show();
}

export async function assetPage(main, key) {
  document.title = key + ' · Baton';
  const [a, lineage] = await Promise.all([api.get('/api/v1/assets/' + assetPath(key) + '?limit=' + MATERIALIZATIONS_PLOTTED),
    api.get('/api/v1/assets/' + assetPath(key) + '/lineage?direction=both&depth=3')]);
  const producer = a.declaredBy ? await api.get('/api/v1/jobs/' + enc(a.declaredBy.job)).catch(() => null) : null;
  const mats = a.materializations || [];
  const facts = { Group: a.group || '—', Owners: (a.owners || []).join(', ') || '—',
    'Produced by': a.declaredBy ? h('a', { href: '/jobs/' + enc(a.declaredBy.job) }, a.declaredBy.job + ' · step ' + a.declaredBy.step) : 'undeclared',
    'Last materialized': time(a.lastMaterializedAt), Materializations: a.materializationCount ?? mats.length };
  if (a.freshness) facts.Freshness = h('span', {}, badge(a.freshness.status), a.freshness.maxLagMs ? ' max lag ' + duration(a.freshness.maxLagMs) : '');
  fill(main, 
    h('div', { class: 'titlebar' }, h('h1', {}, key)), a.description ? h('p', {}, a.description) : null,
    kv(facts),
    producer && partitioned(producer.definition) ? partitionMatrix('/api/v1/assets/' + assetPath(key) + '/partitions') : null,
    h('h2', {}, 'Lineage'), lineageGraph(lineage, key),
    metadataCharts(mats),
    h('h2', {}, 'Checks'), table(['Check', 'Severity', 'Outcome', 'Message', 'When'], (a.checks || []).map(c => h('tr', {},
      h('td', {}, c.name), h('td', {}, c.severity || ''), h('td', {}, c.outcome ? badge(c.outcome) : h('span', { class: 'muted' }, 'not evaluated')),
      h('td', {}, c.message || ''), h('td', {}, time(c.timestamp))))),
    h('h2', {}, 'Materializations'), table(['When', 'Run', 'Partition', 'Metadata'], mats.slice(0, MATERIALIZATIONS_LISTED).map(m => h('tr', {},
      h('td', {}, time(m.timestamp)), h('td', {}, m.runId ? h('a', { href: '/runs/' + enc(m.runId), class: 'mono' }, shortId(m.runId)) : ''),
      h('td', {}, m.partition || ''), h('td', {}, kv(Object.fromEntries(Object.entries(m.metadata || {}).map(([k, v]) => [k, v && typeof v === 'object' ? v.value : v]))))))));
}

const MATERIALIZATIONS_PLOTTED = 200, MATERIALIZATIONS_LISTED = 25;

/** The numeric value of a typed metadata entry ({type: 'int'|'float', value}) or a plain number; else null. */
function numeric(v) {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v && typeof v === 'object' && (v.type === 'int' || v.type === 'float') && Number.isFinite(Number(v.value))) return Number(v.value);
  return null;
}

/**
 * Numeric metadata over time: one small SVG line chart per metadata key that holds a number in any of the asset's
 * latest materializations (oldest left). Each point is a focusable circle with the value and the time (viewer's zone,
 * UTC) in its tooltip.
 */
function metadataCharts(mats) {
  const series = new Map();
  for (const m of mats.slice().reverse()) {
    const t = Date.parse(m.timestamp);
    if (!Number.isFinite(t)) continue;
    for (const [k, v] of Object.entries(m.metadata || {})) {
      const y = numeric(v);
      if (y === null) continue;
      if (!series.has(k)) series.set(k, []);
      series.get(k).push({ t, y, partition: m.partition, runId: m.runId });
    }
  }
  if (!series.size) return null;
  const keys = [...series.keys()].sort();
  return h('section', { id: 'metadata-charts' }, h('h2', {}, 'Metadata over time'),
    h('p', { class: 'small muted' }, `Numeric metadata of the last ${mats.length} materialization${mats.length === 1 ? '' : 's'}, oldest left.`),
    h('div', { class: 'charts' }, keys.slice(0, 12).map(k => lineChart(k, series.get(k)))));
}

function lineChart(key, points) {
  const W = 400, H = 150, L = 56, R = 12, T = 12, B = 26;
  const ts = points.map(p => p.t), ys = points.map(p => p.y);
  let t0 = Math.min(...ts), t1 = Math.max(...ts), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (t1 === t0) { t0 -= 1; t1 += 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  const x = (t) => L + (W - L - R) * (t - t0) / (t1 - t0);
  const y = (v) => T + (H - T - B) * (1 - (v - y0) / (y1 - y0));
  const fmt = (v) => Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000);
  const when = (t) => new Date(t).toLocaleString(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const utc = (t) => new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const last = points[points.length - 1];
  const d = points.map((p, i) => (i ? 'L ' : 'M ') + x(p.t).toFixed(1) + ' ' + y(p.y).toFixed(1)).join(' ');
  return h('figure', { class: 'chart' },
    h('figcaption', {}, h('code', {}, key), h('span', { class: 'small muted' }, ` latest ${fmt(last.y)} · ${points.length} point${points.length === 1 ? '' : 's'}`)),
    s('svg', { class: 'metric-chart', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'group', dataset: { key },
      'aria-label': `${key} over time: ${points.length} values from ${fmt(Math.min(...ys))} to ${fmt(Math.max(...ys))}, latest ${fmt(last.y)}` },
    s('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis-line' }), s('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis-line' }),
    s('text', { x: L - 6, y: T + 4, class: 'axis', 'text-anchor': 'end' }, fmt(y1)),
    s('text', { x: L - 6, y: H - B, class: 'axis', 'text-anchor': 'end' }, fmt(y0)),
    s('text', { x: L, y: H - 8, class: 'axis' }, when(t0)),
    s('text', { x: W - R, y: H - 8, class: 'axis', 'text-anchor': 'end' }, when(t1)),
    points.length > 1 ? s('path', { d, class: 'line' }) : null,
    points.map(p => s('circle', { cx: x(p.t).toFixed(1), cy: y(p.y).toFixed(1), r: 3.5, class: 'point', tabindex: 0, dataset: { value: p.y, time: new Date(p.t).toISOString() } },
      s('title', {}, `${key} = ${p.y} · ${new Date(p.t).toLocaleString()} (UTC: ${utc(p.t)})${p.partition ? ' · partition ' + p.partition : ''}`)))));
}

/** Above these sizes the lineage graph is drawn in its compact level of detail. */
const LINEAGE_COMPACT_NODES = 300, LINEAGE_COMPACT_EDGES = 600;

/**
 * A layered graph: columns by lineage level (upstream left), nodes link to their asset, edges styled by kind. The
 * layout is computed once, in one pass, and the SVG is built detached and inserted once (no reflow per node). Large
 * graphs (thousands of assets, as in `baton bench ui`) use a compact level of detail: shorter nodes, and the edges not
 * touching the asset shown drawn as one path per kind (straight, without arrowheads or tooltips) instead of one
 * element each, which keeps the DOM to about three elements per asset.
 */
function lineageGraph(g, focus) {
  const nodes = g.nodes || [], edges = g.edges || [];
  const compact = nodes.length > LINEAGE_COMPACT_NODES || edges.length > LINEAGE_COMPACT_EDGES;
  const levels = new Map();
  for (const n of nodes) { if (!levels.has(n.level)) levels.set(n.level, []); levels.get(n.level).push(n); }
  const cols = [...levels.keys()].sort((a, b) => a - b);
  const NW = 180, NH = compact ? 20 : 34, GX = 90, GY = compact ? 4 : 16, PAD = 10;
  let maxRows = 1;
  for (const l of levels.values()) maxRows = Math.max(maxRows, l.length);
  const W = PAD * 2 + cols.length * NW + (cols.length - 1) * GX, H = PAD * 2 + maxRows * (NH + GY);
  const pos = new Map();
  cols.forEach((lv, ci) => levels.get(lv).forEach((n, ri) => {
    const off = (maxRows - levels.get(lv).length) * (NH + GY) / 2;
    pos.set(n.assetKey, { x: PAD + ci * (NW + GX), y: PAD + off + ri * (NH + GY) });
  }));
  const svg = s('svg', { id: 'lineage', class: ['lineage', compact ? 'compact' : null], viewBox: `0 0 ${W} ${H}`, width: Math.min(W, 1200), role: 'group',
    'aria-label': `Lineage of ${focus}: ${nodes.length} assets, ${edges.length} edges`, dataset: { nodes: nodes.length, edges: edges.length, detail: compact ? 'compact' : 'full' } },
  s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))));
  const bundles = new Map(); // compact: kind -> path data of the edges not touching the focus
  const edgeEls = [];
  for (const e of edges) {
    const a = pos.get(e.upstream), b = pos.get(e.downstream);
    if (!a || !b) continue;
    const x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2, mx = (x1 + x2) / 2;
    if (compact && e.upstream !== focus && e.downstream !== focus) {
      const kind = String(e.kind).toLowerCase();
      if (!bundles.has(kind)) bundles.set(kind, []);
      bundles.get(kind).push(`M${x1} ${y1}L${x2} ${y2}`);
      continue;
    }
    edgeEls.push(s('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: 'edge ' + String(e.kind).toLowerCase(),
      'marker-end': 'url(#arrow)', dataset: { from: e.upstream, to: e.downstream, kind: e.kind } },
    s('title', {}, `${e.upstream} → ${e.downstream} (${e.kind.toLowerCase()}${e.job ? ', job ' + e.job : ''})`)));
  }
  for (const [kind, parts] of bundles) svg.append(s('path', { d: parts.join(''), class: 'edge bundle ' + kind, dataset: { kind: kind.toUpperCase(), edges: parts.length } }));
  svg.append(...edgeEls);
  const maxLabel = compact ? 26 : 24;
  // One node built with the helpers, then cloned: a clone and a few property writes per asset are several times
  // cheaper than building each node's four elements attribute by attribute.
  const proto = s('a', { class: 'node-link' }, s('rect', { width: NW, height: NH, rx: compact ? 4 : 6 }),
    s('text', { class: 'node-label' }), s('title', {}));
  const frag = document.createDocumentFragment();
  const pending = []; // compact: labels written when their rows scroll into view (text is the costly part to lay out)
  for (const n of nodes) {
    const p = pos.get(n.assetKey);
    const a = proto.cloneNode(true);
    const [rect, text, title] = a.children;
    a.setAttribute('href', '/assets/' + assetPath(n.assetKey));
    a.dataset.asset = n.assetKey;
    rect.setAttribute('x', p.x);
    rect.setAttribute('y', p.y);
    rect.setAttribute('class', ['node', n.assetKey === focus ? 'focus' : null, n.failingChecks ? 'failing' : null, n.source ? 'source' : null].filter(Boolean).join(' '));
    text.setAttribute('x', p.x + 8);
    text.setAttribute('y', p.y + (compact ? 14 : 21));
    const label = n.assetKey.length > maxLabel ? '…' + n.assetKey.slice(-(maxLabel - 1)) : n.assetKey;
    if (compact) pending.push({ y: p.y, text, label }); else text.textContent = label;
    title.textContent = n.assetKey + (n.job ? ` — ${n.job}.${n.step}` : n.source ? ' — source' : '')
      + (n.lastMaterializedAt ? ', last materialized ' + new Date(n.lastMaterializedAt).toLocaleString() : '');
    frag.append(a);
  }
  svg.append(frag);
  const wrap = h('div', { class: 'graph-wrap' }, svg);
  if (compact) {
    pending.sort((a, b) => a.y - b.y);
    const scale = Math.min(W, 1200) / W;
    let queued = false;
    const labelVisible = () => {
      queued = false;
      const top = wrap.scrollTop / scale - 200, bottom = (wrap.scrollTop + wrap.clientHeight) / scale + 200;
      let lo = 0, hi = pending.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (pending[mid].y < top) lo = mid + 1; else hi = mid; }
      for (let i = lo; i < pending.length && pending[i].y <= bottom; i++) {
        if (!pending[i].done) { pending[i].text.textContent = pending[i].label; pending[i].done = true; }
      }
    };
    const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(labelVisible); } };
    const fp = pos.get(focus);
    requestAnimationFrame(() => { // start with the asset shown in the middle of the view
      if (fp && wrap.isConnected) wrap.scrollTop = Math.max(0, (fp.y + NH / 2) * scale - wrap.clientHeight / 2);
      schedule();
    });
    wrap.addEventListener('scroll', schedule, { passive: true });
    wrap.addEventListener('focusin', schedule); // keyboard: a focused node scrolls into view
  }
  return h('div', {}, wrap,
    h('p', { class: 'small muted legend' }, 'solid: explicit deps · dashed: inferred from step needs',
      compact ? ` · ${nodes.length} assets: compact view, edges away from ${focus} drawn without arrows, labels as you scroll (upstream left)` : '',
      g.truncated ? ' · the graph goes on beyond 3 levels: open an asset at the edge' : ''));
}

// ---------------------------------------------------------------- schedules

export async function schedulesPage(main) {
  document.title = 'Schedules · Baton';
  const [r, sensors] = await Promise.all([api.get('/api/v1/schedules?next=3&limit=1000'),
    api.get('/api/v1/sensors').catch(e => ({ items: [], error: e.message }))]);
  const zoneTime = (iso, tz) => {
    try { return new Date(iso).toLocaleString(undefined, { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }) + ' ' + tz; } catch { return iso; }
  };
  const act = async (sc, pause) => {
    try { await api.post(`/api/v1/jobs/${enc(sc.job)}/schedules/${enc(sc.schedule)}/${pause ? 'pause' : 'resume'}`, {}); } catch (e) { alert(e.message); }
    setTimeout(() => { if (stillOn('/schedules')) schedulesPage(main); }, 600);
  };
  fill(main, h('h1', {}, 'Schedules and sensors'), h('h2', {}, 'Schedules'), table(['Job', 'Schedule', 'Timing', 'State', 'Next fire times (your zone · schedule zone)', 'Last ticks', ''],
    r.items.map(sc => h('tr', {},
      h('td', {}, h('a', { href: '/jobs/' + enc(sc.job) }, sc.job)), h('td', {}, sc.schedule),
      h('td', {}, sc.cron ? h('code', {}, sc.cron) : 'every ' + sc.every, h('div', { class: 'small muted' }, sc.timezone)),
      h('td', {}, badge(sc.paused ? 'PAUSED' : 'ACTIVE'), sc.pendingChange ? h('div', { class: 'small muted' }, 'change pending') : null,
        sc.seenByScheduler ? null : h('div', { class: 'small muted' }, 'not seen by a scheduler yet')),
      h('td', {}, (sc.nextFireTimes || []).map(t => h('div', {}, time(t), h('span', { class: 'small muted' }, ' · ' + zoneTime(t, sc.timezone))))),
      h('td', {}, (sc.lastTicks || []).slice(0, 3).map(t => h('div', { class: 'small' }, time(t.tick, { short: true }), ' ', (t.outcome || '').toLowerCase(), ' ',
        t.runId ? h('a', { href: '/runs/' + enc(t.runId) }, shortId(t.runId)) : '', t.runStatus ? [' ', badge(t.runStatus)] : null))),
      h('td', {}, can('operator') ? h('button', { type: 'button', class: 'secondary', onclick: () => act(sc, !sc.paused) }, sc.paused ? 'Resume' : 'Pause') : null))),
  { id: 'schedules-table' }),
  h('h2', {}, 'Sensors'), sensorsTable(sensors),
  h('p', { class: 'muted small' }, 'Sensor lag is read from Kafka: the records on the topic that the sensor has not read yet. Refreshed every 10 s.'));
  const timer = setTimeout(() => { if (stillOn('/schedules')) schedulesPage(main); }, 10000);
  onLeave(() => clearTimeout(timer));
}

const SENSOR_STATE_CLASS = { WAITING_FOR_TOPIC: 'st-queued', NOT_STARTED: 'st-pending', CAUGHT_UP: 'st-succeeded', LAGGING: 'st-running', UNKNOWN: 'st-unknown' };
const SENSOR_STATE_TEXT = { WAITING_FOR_TOPIC: 'waiting for its topic', NOT_STARTED: 'not started', CAUGHT_UP: 'caught up', LAGGING: 'lagging', UNKNOWN: 'unknown' };

function sensorsTable(sensors) {
  if (sensors.error) return notice('error', 'Could not read the sensors: ' + sensors.error);
  return table(['Job', 'Sensor', 'Kind', 'Source', 'State', 'Lag'], sensors.items.map(x => h('tr', { dataset: { sensor: x.job + '/' + x.name, state: x.state } },
    h('td', {}, h('a', { href: '/jobs/' + enc(x.job) }, x.job)), h('td', {}, x.name), h('td', {}, x.kind.toLowerCase()),
    h('td', {}, x.kind === 'ASSET' ? (x.assets || []).map(a => h('a', { href: '/assets/' + assetPath(a), class: 'chip' }, a)) : h('code', {}, x.topic),
      x.partitions ? h('span', { class: 'small muted' }, ` · ${x.partitions} partition${x.partitions === 1 ? '' : 's'}`) : null),
    h('td', {}, h('span', { class: ['badge', SENSOR_STATE_CLASS[x.state] || 'st-unknown', 'sensor-state'], 'data-status': x.state },
      SENSOR_STATE_TEXT[x.state] || x.state.toLowerCase())),
    h('td', { class: 'num' }, x.lag === undefined || x.lag === null ? '—' : String(x.lag)))), { id: 'sensors-table' });
}

// ---------------------------------------------------------------- agents

export async function agentsPage(main) {
  document.title = 'Agents · Baton';
  // Pools from the gateway: live agents, slots, running attempts and the command backlog read from Kafka (a pool
  // with queued commands and no live agent is "unserved"), so the page does not depend on how many runs are open.
  const [agents, pools] = await Promise.all([api.get('/api/v1/agents'), api.get('/api/v1/pools')]);
  const unserved = pools.items.filter(p => p.unserved).map(p => p.pool);
  // For an unserved pool, point at a few of the steps waiting on it (from the newest open runs).
  const waiting = new Map();
  if (unserved.length) {
    const active = await api.get('/api/v1/runs?status=QUEUED,RUNNING&limit=20');
    const details = await Promise.all(active.items.map(r => api.get('/api/v1/runs/' + enc(r.runId)).catch(() => null)));
    for (const run of details.filter(Boolean)) for (const st of run.steps || []) {
      if (st.status === 'QUEUED' && unserved.includes(st.pool)) {
        if (!waiting.has(st.pool)) waiting.set(st.pool, []);
        waiting.get(st.pool).push({ runId: run.runId, step: st.key });
      }
    }
  }
  const live = agents.items.filter(a => !a.stale);
  fill(main, h('h1', {}, 'Agents'),
    unserved.map(p => notice('warn', h('strong', {}, 'Pool ', h('code', {}, p), ' has queued commands and no live agent'), ': ',
      (waiting.get(p) || []).slice(0, 5).map(w => [h('a', { href: '/runs/' + enc(w.runId) }, shortId(w.runId) + ' ' + w.step), ' ']),
      'start an agent for it (', h('code', {}, 'baton agent --pool ' + p), ').')),
    h('h2', {}, 'Pools'), table(['Pool', 'Live agents', 'Slots', 'Running', 'Queued commands', 'Regions'], pools.items.map(x =>
      h('tr', { dataset: { pool: x.pool }, class: x.unserved ? 'flagged' : null },
        h('td', {}, x.pool, x.unserved ? [' ', badge('NO AGENT')] : null),
        h('td', { class: 'num', title: x.staleAgents ? x.staleAgents + ' stale' : null }, x.liveAgents), h('td', { class: 'num' }, x.slots),
        h('td', { class: 'num' }, x.running), h('td', { class: 'num' }, x.backlog == null ? '?' : x.backlog),
        h('td', {}, (x.regions || []).join(', ')))), { id: 'pools-table' }),
    h('h2', {}, 'Agents'), table(['Agent', 'State', 'Pools', 'Region', 'Host', 'Slots', 'Running', 'Last seen'], agents.items.map(a => h('tr', {},
      h('td', { class: 'mono' }, a.agentId), h('td', {}, badge(a.stale ? 'STALE' : a.state)), h('td', {}, (a.pools || []).join(', ')), h('td', {}, a.region || ''),
      h('td', {}, a.host || ''), h('td', { class: 'num' }, a.slots), h('td', {}, (a.running || []).map(x => h('div', { class: 'small' },
        h('a', { href: '/runs/' + enc(x.runId) }, shortId(x.runId)), ' ' + x.stepKey + ' #' + x.attempt))),
      h('td', {}, time(a.lastHeartbeat)))), { id: 'agents-table' }),
    h('p', { class: 'muted small' }, `${live.length} live of ${agents.items.length} agents; refreshed every 5 s.`));
  const timer = setTimeout(() => { if (stillOn('/agents')) agentsPage(main); }, 5000);
  onLeave(() => clearTimeout(timer));
}
