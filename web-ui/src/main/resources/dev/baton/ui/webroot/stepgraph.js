// The step graph of a run: a layered DAG layout in plain JS (columns by dependency depth, rows ordered by the
// barycentre of their upstream steps to cut crossings), drawn as SVG with each step's state.
import { h, s, notice } from './dom.js';

/** Beyond this many steps the graph is not drawn (the steps table and timeline still show them). */
export const MAX_GRAPH_STEPS = 400;
const NW = 170, NH = 40, GX = 70, GY = 14, PAD = 10;

/**
 * Columns of a DAG: each node's column is one more than its deepest upstream; nodes in `last` (hooks) go after all
 * others. Within a column, nodes are ordered by the mean row of their upstreams, then by their given order.
 * nodes: [{key, needs: [...], last?: bool}] → Map key → {col, row}.
 */
export function layeredLayout(nodes) {
  const byKey = new Map(nodes.map((n, i) => [n.key, { ...n, i }]));
  const col = new Map();
  const depth = (k, seen = new Set()) => {
    if (col.has(k)) return col.get(k);
    if (seen.has(k)) return 0; // a cycle cannot be registered; stay finite anyway
    seen.add(k);
    const n = byKey.get(k);
    const ups = (n && n.needs || []).filter(u => byKey.has(u));
    const c = ups.length ? 1 + Math.max(...ups.map(u => depth(u, seen))) : 0;
    col.set(k, c);
    return c;
  };
  nodes.forEach(n => depth(n.key));
  const lastCol = Math.max(0, ...nodes.filter(n => !n.last).map(n => col.get(n.key)));
  nodes.filter(n => n.last).forEach(n => col.set(n.key, lastCol + 1));
  const columns = [];
  for (const n of nodes) (columns[col.get(n.key)] ||= []).push(byKey.get(n.key));
  const row = new Map();
  columns.forEach((list = [], c) => {
    const bary = (n) => {
      const ups = (n.needs || []).map(u => row.get(u)).filter(r => r !== undefined);
      return ups.length ? ups.reduce((a, b) => a + b, 0) / ups.length : n.i;
    };
    if (c > 0) list.sort((a, b) => bary(a) - bary(b) || a.i - b.i);
    list.forEach((n, r) => row.set(n.key, r));
    columns[c] = list;
  });
  const out = new Map();
  for (const n of nodes) out.set(n.key, { col: col.get(n.key), row: row.get(n.key) });
  return { positions: out, columns: columns.length, rows: Math.max(1, ...columns.map(l => (l || []).length)) };
}

/** The SVG step graph of a run; onSelect(stepKey) when a step is clicked or activated with Enter/Space. */
export function stepGraph(run, onSelect) {
  const steps = run.steps || [];
  if (!steps.length) return h('p', { class: 'muted' }, 'No steps yet.');
  if (steps.length > MAX_GRAPH_STEPS) {
    return notice('info', `This run has ${steps.length} steps; the graph is drawn for up to ${MAX_GRAPH_STEPS}. The timeline and the steps table show them all.`);
  }
  const { positions, columns, rows } = layeredLayout(steps.map(st => ({ key: st.key, needs: st.needs || [], last: !!st.hook })));
  const W = PAD * 2 + columns * NW + (columns - 1) * GX, H = PAD * 2 + rows * (NH + GY) - GY;
  const xy = (k) => { const p = positions.get(k); return { x: PAD + p.col * (NW + GX), y: PAD + p.row * (NH + GY) }; };
  const svg = s('svg', { id: 'step-graph', class: 'stepgraph', viewBox: `0 0 ${W} ${H}`, width: Math.min(W, 1240), role: 'group',
    'aria-label': `Step graph: ${steps.length} steps` },
  s('defs', {}, s('marker', { id: 'step-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))));
  const known = new Set(steps.map(st => st.key));
  for (const st of steps) {
    for (const up of st.needs || []) {
      if (!known.has(up)) continue;
      const a = xy(up), b = xy(st.key);
      const x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2, mx = (x1 + x2) / 2;
      svg.append(s('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: 'edge', 'marker-end': 'url(#step-arrow)',
        dataset: { from: up, to: st.key } }));
    }
  }
  for (const st of steps) {
    const p = xy(st.key);
    const state = String(st.status || 'PENDING');
    const label = st.key.length > 20 ? st.key.slice(0, 19) + '…' : st.key;
    const sub = state.toLowerCase() + (st.attempts > 1 ? ` · ${st.attempts} attempts` : '') + (st.hook ? ' · hook' : '');
    const activate = () => onSelect && onSelect(st.key);
    svg.append(s('g', { class: ['step-node', 'st-' + state.toLowerCase().replace(/_/g, '-'), st.hook ? 'hook' : null].filter(Boolean).join(' '),
      tabindex: 0, role: 'button', dataset: { step: st.key, status: state }, 'aria-label': `${st.key}: ${state}`,
      onclick: activate, onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); activate(); } } },
    s('rect', { x: p.x, y: p.y, width: NW, height: NH, rx: 6, class: 'node' }),
    s('rect', { x: p.x, y: p.y, width: 5, height: NH, rx: 2, class: 'state-bar' }),
    s('text', { x: p.x + 12, y: p.y + 17, class: 'node-label' }, label),
    s('text', { x: p.x + 12, y: p.y + 32, class: 'node-state' }, sub),
    s('title', {}, `${st.key}: ${state}${st.pool ? ' · pool ' + st.pool : ''}${(st.needs || []).length ? ' · needs ' + st.needs.join(', ') : ''}`)));
  }
  return h('div', { class: 'graph-wrap' }, svg,
    h('p', { class: 'small muted legend' }, 'Steps by dependency (upstream left); colour shows the state. Select a step to see its logs.'));
}
