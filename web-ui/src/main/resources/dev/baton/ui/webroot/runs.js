// Runs list, one run (status, Gantt, steps, logs, outputs), and the run's event log with a state slider.
import { h, s, time, duration, badge, shortId, table, kv, notice, fill, FINISHED } from './dom.js';
import { api, enc, stream, assetPath, ApiError } from './api.js';
import { stepGraph } from './stepgraph.js';
import { can, onLeave, navigate, stillOn } from './app.js';

const RUN_STATUSES = ['QUEUED', 'RUNNING', 'CANCELING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'REJECTED'];
export const EVENT_TYPES = ['RunRequested', 'RunQueued', 'RunStarted', 'RunSucceeded', 'RunFailed', 'RunCancelRequested',
  'RunCanceled', 'RunRequestRejected', 'RunRetried', 'RunExpired', 'StepQueued', 'StepDispatched', 'StepStarted',
  'StepHeartbeat', 'StepSucceeded', 'StepFailed', 'StepRetryScheduled', 'StepLost', 'StepTimedOut', 'StepCancelRequested',
  'StepCanceled', 'StepSkipped', 'StepReused', 'ReportRejected', 'CommandRejected'];
/** The runs list is read again at most this often while the live stream reports changes. */
const LIST_REFRESH_MS = 1000;

// ---------------------------------------------------------------- runs list

export const ORIGINS = ['API', 'SCHEDULE', 'SENSOR', 'ASSET', 'RETRY', 'WEBHOOK'];
const RANGES = [['', 'any time'], ['1h', 'last hour'], ['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['custom', 'from … to …']];
const RANGE_MS = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3 };

/** A datetime-local value (viewer's zone) as an ISO instant, or ''. */
function localToIso(v) { return v ? new Date(v).toISOString() : ''; }
function isoToLocal(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

export async function runsPage(main) {
  document.title = 'Runs · Baton';
  const q = new URLSearchParams(location.search);
  const job = q.get('job') || '', status = q.get('status') || '', origin = q.get('origin') || '', cursor = q.get('cursor') || '';
  const range = q.get('range') || (q.get('since') || q.get('until') ? 'custom' : '');
  const limit = Math.min(Number(q.get('limit')) || 50, 200);
  const jobs = await api.get('/api/v1/jobs?limit=1000').catch(() => ({ items: [] }));

  // The filters live in the URL (shareable, back button); a relative range is resolved when the page loads.
  const filters = {};
  for (const k of ['job', 'status', 'origin', 'range', 'since', 'until']) if (q.get(k)) filters[k] = q.get(k);
  const go = (changes) => {
    const n = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(changes)) { if (v) n.set(k, v); else n.delete(k); }
    n.delete('cursor');
    navigate('/runs' + (n.toString() ? '?' + n : ''));
  };
  const jobSel = h('select', { id: 'filter-job', onchange: () => go({ job: jobSel.value }) },
    h('option', { value: '' }, 'all jobs'), jobs.items.map(j => h('option', { value: j.name, selected: j.name === job }, j.name)));
  const stSel = h('select', { id: 'filter-status', onchange: () => go({ status: stSel.value }) },
    h('option', { value: '' }, 'any status'), RUN_STATUSES.map(x => h('option', { value: x, selected: x === status }, x)));
  const orSel = h('select', { id: 'filter-origin', onchange: () => go({ origin: orSel.value }) },
    h('option', { value: '' }, 'any origin'), ORIGINS.map(x => h('option', { value: x, selected: x === origin }, x.toLowerCase())));
  const rangeSel = h('select', { id: 'filter-range', onchange: () => go({ range: rangeSel.value === 'custom' ? 'custom' : rangeSel.value, since: '', until: '' }) },
    RANGES.map(([v, text]) => h('option', { value: v, selected: v === range }, text)));
  const sinceIn = h('input', { id: 'filter-since', type: 'datetime-local', value: isoToLocal(q.get('since')), 'aria-label': 'Requested from' });
  const untilIn = h('input', { id: 'filter-until', type: 'datetime-local', value: isoToLocal(q.get('until')), 'aria-label': 'Requested before' });
  const applyCustom = () => go({ range: 'custom', since: localToIso(sinceIn.value), until: localToIso(untilIn.value) });
  sinceIn.addEventListener('change', applyCustom);
  untilIn.addEventListener('change', applyCustom);
  const live = h('span', { class: 'muted live', id: 'runs-live', 'aria-live': 'polite' });
  const body = h('div', { id: 'runs' });
  const newest = new URLSearchParams(filters);
  fill(main,
    h('div', { class: 'titlebar' }, h('h1', {}, 'Runs'), live),
    h('form', { class: 'filters', id: 'runs-filters', onsubmit: e => e.preventDefault() },
      h('label', {}, 'Job ', jobSel), h('label', {}, 'Status ', stSel), h('label', {}, 'Origin ', orSel), h('label', {}, 'Requested ', rangeSel),
      range === 'custom' ? [h('label', {}, 'from ', sinceIn), h('label', {}, 'before ', untilIn)] : null,
      cursor ? h('a', { href: '/runs' + (newest.toString() ? '?' + newest : '') }, '← Newest') : null),
    body);

  const params = new URLSearchParams({ limit: String(limit) });
  if (job) params.set('job', job);
  if (status) params.set('status', status);
  if (origin) params.set('origin', origin);
  if (RANGE_MS[range]) params.set('since', new Date(Date.now() - RANGE_MS[range]).toISOString());
  if (range === 'custom') {
    if (q.get('since')) params.set('since', q.get('since'));
    if (q.get('until')) params.set('until', q.get('until'));
  }
  if (cursor) params.set('cursor', cursor);
  const path = location.pathname + location.search;
  const load = async () => {
    const page = await api.get('/api/v1/runs?' + params);
    if (location.pathname + location.search !== path) return;
    const rows = page.items.map(r => h('tr', { dataset: { run: r.runId, origin: r.origin } },
      h('td', {}, h('a', { href: '/runs/' + enc(r.runId), class: 'mono', title: r.runId }, shortId(r.runId))),
      h('td', {}, h('a', { href: '/jobs/' + enc(r.job) }, r.job), r.jobVersion ? h('span', { class: 'muted' }, ' v' + r.jobVersion) : null),
      h('td', {}, badge(r.status)),
      h('td', {}, (r.origin || '').toLowerCase(), r.requestedBy ? h('span', { class: 'muted' }, ' by ' + r.requestedBy) : null),
      h('td', {}, time(r.requestedAt)),
      h('td', { class: 'num' }, duration(r.durationMs)),
      h('td', {}, Object.entries(r.stepCounts || {}).map(([k, v]) => h('span', { class: ['count', 'st-' + k.toLowerCase()], title: k }, v + ' ' + k.toLowerCase())))));
    const older = new URLSearchParams(filters);
    if (page.nextCursor) older.set('cursor', page.nextCursor);
    const next = page.nextCursor ? h('a', { href: '/runs?' + older, id: 'older' }, 'Older runs →') : null;
    fill(body, table(['Run', 'Job', 'Status', 'Origin', 'Requested', 'Duration', 'Steps'], rows, { id: 'runs-table' }),
      h('div', { class: 'pager' }, next));
  };
  await load();
  // The first page follows the runs live: the all-runs stream (same filters) says which runs changed, and the page is
  // read again (at most every LIST_REFRESH_MS). Older pages are a fixed window in the stable order.
  if (!cursor) {
    const sp = new URLSearchParams(params);
    sp.delete('limit'); sp.delete('status');
    let timer = null, lastLoad = Date.now();
    const reload = () => {
      if (timer) return;
      timer = setTimeout(async () => {
        timer = null; lastLoad = Date.now();
        try { await load(); live.textContent = 'live · updated ' + new Date().toLocaleTimeString(); } catch { /* keep the last page */ }
      }, Math.max(0, LIST_REFRESH_MS - (Date.now() - lastLoad)));
    };
    live.textContent = 'live';
    onLeave(stream('/api/v1/runs' + (sp.toString() ? '?' + sp : ''), {
      runs: () => reload(),
      closed: () => { live.textContent = 'live updates stopped (reload the page)'; },
    }));
    onLeave(() => clearTimeout(timer));
  }
}

// ---------------------------------------------------------------- one run

export async function runPage(main, runId) {
  document.title = 'Run ' + shortId(runId) + ' · Baton';
  const path = location.pathname;
  let run = await api.get('/api/v1/runs/' + enc(runId));
  const events = [];
  const head = h('section', { id: 'run-head' });
  const warn = h('div', { id: 'run-warnings' });
  const gantt = h('section', { id: 'gantt', 'aria-label': 'Timeline' });
  const graph = h('section', { id: 'graph', 'aria-label': 'Step graph' });
  const steps = h('section', { id: 'steps' });
  const logs = h('section', { id: 'logs' });
  fill(main, head, warn, h('h2', {}, 'Step graph'), graph, h('h2', {}, 'Timeline'), gantt, h('h2', {}, 'Steps'), steps, h('h2', {}, 'Logs'), logs);
  const selectStep = (key) => {
    const sel = document.getElementById('log-step');
    if (!sel) return;
    sel.value = key;
    sel.dispatchEvent(new Event('change'));
    logs.scrollIntoView({ block: 'start' });
  };

  const renderAll = () => {
    fill(head, ...runHeader(run, refresh).flat().filter(Boolean));
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#step-graph [data-step]');
    fill(graph, stepGraph(run, selectStep));
    if (focused) { const again = graph.querySelector(`[data-step="${CSS.escape(focused.dataset.step)}"]`); if (again) again.focus(); }
    fill(gantt, ganttChart(run, events));
    fill(steps, stepsTable(run));
    document.title = run.status + ' · ' + run.job + ' · Baton';
  };
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      try { run = await api.get('/api/v1/runs/' + enc(runId)); } catch { return; }
      if (stillOn(path)) { renderAll(); checkPools(run, warn); }
    }, 150);
  };
  onLeave(() => clearTimeout(pending));
  renderAll();
  checkPools(run, warn);

  const handlers = {};
  for (const t of EVENT_TYPES) handlers[t] = (e) => { events.push(e); refresh(); };
  handlers.end = () => refresh();
  onLeave(stream('/api/v1/runs/' + enc(runId) + '/events', handlers));
  logView(logs, run, runId);
}

function runHeader(run, refresh) {
  const actions = [];
  if (can('operator') && !FINISHED.has(run.status) && run.status !== 'CANCELING') {
    actions.push(h('button', { type: 'button', id: 'cancel', class: 'danger', onclick: async (ev) => {
      if (!confirm('Cancel run ' + run.runId + '?')) return;
      ev.target.disabled = true;
      try { await api.post('/api/v1/runs/' + enc(run.runId) + '/cancel', {}); refresh(); } catch (e) { alert(e.message); ev.target.disabled = false; }
    } }, 'Cancel run'));
  }
  if (can('operator') && (run.status === 'FAILED' || run.status === 'CANCELED')) {
    actions.push(h('button', { type: 'button', id: 'retry', onclick: async (ev) => {
      ev.target.disabled = true;
      try { const r = await api.post('/api/v1/runs/' + enc(run.runId) + '/retry', {}); navigate('/runs/' + enc(r.runId)); } catch (e) { alert(e.message); ev.target.disabled = false; }
    } }, 'Re-execute from failure'));
  }
  const tags = run.tags || {};
  const facts = {
    Job: h('a', { href: '/jobs/' + enc(run.job) }, run.job + (run.jobVersion ? ' v' + run.jobVersion : '')),
    Origin: originView(run),
    Requested: time(run.requestedAt), Started: time(run.startedAt), Ended: time(run.endedAt), Duration: duration(run.durationMs),
  };
  if (run.runKey) facts['Run key'] = run.runKey;
  if (run.parentRunId) facts['Retry of'] = h('a', { href: '/runs/' + enc(run.parentRunId) }, shortId(run.parentRunId));
  if (run.retriedAs) facts['Retried as'] = h('span', {}, run.retriedAs.map(id => h('a', { href: '/runs/' + enc(id) }, shortId(id) + ' ')));
  if (run.reason) facts.Reason = run.reason;
  return [
    h('div', { class: 'titlebar' }, h('h1', {}, 'Run ', h('span', { class: 'mono', title: run.runId }, shortId(run.runId))),
      h('span', { id: 'run-status' }, badge(run.status)), h('span', { class: 'spacer' }), actions,
      h('a', { href: '/runs/' + enc(run.runId) + '/events', class: 'button secondary' }, 'Event log')),
    h('div', { class: 'grid2' }, h('div', {}, kv(facts)), h('div', {}, h('h3', {}, 'Params'), kv(run.params), Object.keys(tags).length ? [h('h3', {}, 'Tags'), kv(tags)] : null)),
    run.rejection ? notice('error', 'Rejected: ' + run.rejection.reason) : null,
  ];
}

/**
 * Where the run came from, as fully as its request recorded it: the schedule and tick, the sensor and the record
 * (topic/partition/offset), the asset trigger and the materialization (with its run), the API caller.
 */
export function originView(run) {
  const t = run.tags || {}, o = run.origin || 'UNKNOWN';
  const parts = [h('strong', {}, o.toLowerCase())];
  const add = (...c) => parts.push(' · ', ...c);
  switch (o) {
    case 'SCHEDULE':
      if (t['baton.schedule']) add('schedule ', h('a', { href: '/schedules' }, t['baton.schedule']));
      if (t['baton.tick']) add('tick ', time(t['baton.tick']));
      break;
    case 'SENSOR': {
      if (t['baton.trigger']) add('sensor ', h('a', { href: '/schedules' }, t['baton.trigger']));
      const src = t['baton.source'];
      const m = src && src.match(/^(.*)\/(\d+)\/(\d+)$/);
      if (m) add('record ', h('span', { class: 'mono', id: 'origin-record' }, `topic ${m[1]} · partition ${m[2]} · offset ${m[3]}`));
      else if (src) add('record ', h('span', { class: 'mono', id: 'origin-record' }, src));
      break;
    }
    case 'ASSET':
      if (t['baton.trigger']) add('trigger ', t['baton.trigger']);
      if (t['baton.asset']) add('asset ', h('a', { href: '/assets/' + assetPath(t['baton.asset']) }, t['baton.asset']));
      if (t['baton.upstream.run']) add('materialized by ', h('a', { href: '/runs/' + enc(t['baton.upstream.run']), class: 'mono' }, shortId(t['baton.upstream.run'])),
        t['baton.upstream.job'] ? ' (' + t['baton.upstream.job'] + ')' : '');
      break;
    case 'RETRY':
      if (run.parentRunId) add('re-execution of ', h('a', { href: '/runs/' + enc(run.parentRunId), class: 'mono' }, shortId(run.parentRunId)));
      break;
    default: break;
  }
  if (run.requestedBy) add('by ', h('span', { id: 'origin-caller' }, run.requestedBy));
  return h('span', { id: 'origin' }, parts);
}

/** Flags steps waiting on a pool that no live agent serves. */
async function checkPools(run, into) {
  const waiting = (run.steps || []).filter(st => st.status === 'QUEUED' && st.pool);
  if (!waiting.length) { fill(into, ); return; }
  const agents = await api.get('/api/v1/agents').catch(() => null);
  if (!agents) return;
  const live = new Set(agents.items.filter(a => !a.stale).flatMap(a => a.pools || []));
  const orphan = [...new Set(waiting.map(st => st.pool))].filter(p => !live.has(p));
  fill(into, ...orphan.map(p => notice('warn', 'Steps wait on pool ', h('code', {}, p),
    ' but no live agent serves it. Start an agent for this pool (see ', h('a', { href: '/agents' }, 'Agents'), ').')));
}

/** Attempts of each step from the event log: start, end, how it ended. */
function attemptsOf(events) {
  const by = new Map();
  const get = (step, attempt) => {
    if (!by.has(step)) by.set(step, new Map());
    const m = by.get(step);
    if (!m.has(attempt)) m.set(attempt, { attempt, marks: [] });
    return m.get(attempt);
  };
  for (const e of events) {
    const p = e.payload || {}, t = Date.parse(e.timestamp), k = e.stepKey;
    if (!k) continue;
    switch (e.type) {
      case 'StepDispatched': get(k, p.attempt).dispatched = t; break;
      case 'StepStarted': get(k, p.attempt).started = t; break;
      case 'StepSucceeded': Object.assign(get(k, p.attempt), { ended: t, end: 'SUCCEEDED' }); break;
      case 'StepFailed': Object.assign(get(k, p.attempt), { ended: t, end: 'FAILED', message: p.message }); break;
      case 'StepLost': Object.assign(get(k, p.attempt), { ended: t, end: 'LOST' }); break;
      case 'StepTimedOut': Object.assign(get(k, p.attempt), { ended: t, end: 'TIMED OUT' }); break;
      case 'StepCanceled': Object.assign(get(k, p.attempt), { ended: t, end: 'CANCELED' }); break;
      case 'ReportRejected': get(k, p.attempt).marks.push({ t, label: 'rejected: ' + p.reason }); break;
      default: break;
    }
  }
  return by;
}

function ganttChart(run, events) {
  const stepsList = run.steps || [];
  const attempts = attemptsOf(events);
  const t0 = Date.parse(run.requestedAt);
  let t1 = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  for (const m of attempts.values()) for (const a of m.values()) t1 = Math.max(t1, a.ended || a.started || 0);
  const span = Math.max(t1 - t0, 1000);
  const W = 960, label = 170, rowH = 26, H = stepsList.length * rowH + 28;
  const x = (t) => label + ((t - t0) / span) * (W - label - 10);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'gantt',
    'aria-label': 'Timeline of ' + stepsList.length + ' steps over ' + duration(span) });
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (span * i) / 4;
    svg.append(s('line', { x1: x(t), x2: x(t), y1: 0, y2: H - 18, class: 'grid' }),
      s('text', { x: x(t), y: H - 4, class: 'axis', 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, '+' + duration(t - t0)));
  }
  stepsList.forEach((st, i) => {
    const y = i * rowH + 4;
    svg.append(s('text', { x: 4, y: y + 15, class: 'label' }, st.key));
    const list = attempts.has(st.key) ? [...attempts.get(st.key).values()] : [];
    if (!list.length && st.startedAt) list.push({ marks: [], attempt: st.attempts, started: Date.parse(st.startedAt), ended: st.endedAt ? Date.parse(st.endedAt) : null, end: st.status });
    for (const a of list) {
      if (a.dispatched && (a.started || !a.ended)) {
        const end = a.started || (FINISHED.has(run.status) ? t1 : Date.now());
        svg.append(s('rect', { x: x(a.dispatched), y: y + 8, width: Math.max(1, x(end) - x(a.dispatched)), height: 4, class: 'wait' },
          s('title', {}, `${st.key} attempt ${a.attempt}: waiting for an agent`)));
      }
      if (!a.started) continue;
      const end = a.ended || (FINISHED.has(run.status) ? t1 : Date.now());
      const state = a.end || 'RUNNING';
      svg.append(s('rect', { x: x(a.started), y: y + 2, width: Math.max(2, x(end) - x(a.started)), height: 16, rx: 3,
        class: 'bar st-' + state.toLowerCase().replace(' ', '-'), dataset: { step: st.key, attempt: a.attempt } },
      s('title', {}, `${st.key} attempt ${a.attempt}: ${state} · ${duration(end - a.started)}${a.message ? ' · ' + a.message : ''}`)));
      if (a.end && a.end !== 'SUCCEEDED') svg.append(s('text', { x: x(end) + 3, y: y + 15, class: 'mark' }, a.end.toLowerCase()));
      for (const m of a.marks) svg.append(s('circle', { cx: x(m.t), cy: y + 10, r: 4, class: 'rejected' }, s('title', {}, m.label)));
    }
    if (st.status === 'SKIPPED' || st.reusedFrom) svg.append(s('text', { x: label + 4, y: y + 15, class: 'mark' }, st.reusedFrom ? 'reused' : 'skipped'));
  });
  return svg;
}

function stepsTable(run) {
  return table(['Step', 'Status', 'Attempts', 'Pool', 'Started', 'Duration', 'Outputs', 'Materializations'], (run.steps || []).map(st => h('tr', { dataset: { step: st.key } },
    h('td', {}, st.key, st.hook ? h('span', { class: 'muted' }, ' (hook)') : null, st.needs && st.needs.length ? h('div', { class: 'muted small' }, 'needs ' + st.needs.join(', ')) : null),
    h('td', {}, badge(st.status), st.error ? h('div', { class: 'small err' }, `${st.error.class}${st.error.exitCode !== undefined ? ' (exit ' + st.error.exitCode + ')' : ''}: ${st.error.message || ''}`) : null,
      st.retryAt ? h('div', { class: 'small muted' }, 'next attempt ', time(st.retryAt, { short: true })) : null,
      st.skipReason ? h('div', { class: 'small muted' }, st.skipReason) : null),
    h('td', { class: 'num' }, st.attempts),
    h('td', {}, st.pool || ''),
    h('td', {}, time(st.startedAt, { short: true })),
    h('td', { class: 'num' }, duration(st.durationMs)),
    h('td', {}, Object.keys(st.outputs || {}).length ? kv(st.outputs) : ''),
    h('td', {}, (st.materializations || []).map(m => h('div', {}, h('a', { href: '/assets/' + assetPath(m.assetKey) }, m.assetKey), m.partition ? ' [' + m.partition + ']' : ''))))),
  { id: 'steps-table' });
}

function logView(into, run, runId) {
  const stepSel = h('select', { id: 'log-step', 'aria-label': 'Step' }, h('option', { value: '' }, 'all steps'),
    (run.steps || []).map(st => h('option', { value: st.key }, st.key)));
  const search = h('input', { id: 'log-search', type: 'search', placeholder: 'Search the logs', 'aria-label': 'Search the logs' });
  const count = h('span', { class: 'muted small', 'aria-live': 'polite' });
  const pre = h('pre', { id: 'log-lines', class: 'logs', tabindex: 0, 'aria-label': 'Log lines' });
  fill(into, h('div', { class: 'filters' }, stepSel, search, count), pre);
  const lines = [];
  const show = () => {
    const step = stepSel.value, q = search.value.toLowerCase();
    const shown = lines.filter(l => (!step || l.step === step) && (!q || l.text.toLowerCase().includes(q)));
    fill(pre, ...shown.slice(-5000).map(l => h('div', { class: l.stream === 'STDERR' ? 'stderr' : null },
      h('span', { class: 'muted' }, `${l.step}#${l.attempt} `), l.text)));
    count.textContent = `${shown.length} of ${lines.length} lines`;
  };
  stepSel.addEventListener('change', show);
  search.addEventListener('input', show);
  let queued = false;
  onLeave(stream('/api/v1/runs/' + enc(runId) + '/logs', {
    log: (l) => {
      lines.push(l);
      if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; show(); }); }
    },
  }));
  show();
}

// ---------------------------------------------------------------- event log with a state slider

export async function eventsPage(main, runId) {
  document.title = 'Events of ' + shortId(runId) + ' · Baton';
  const all = await api.get('/api/v1/runs/' + enc(runId) + '/events');
  const items = all.items;
  if (!items.length) { fill(main, h('h1', {}, 'Events'), notice('info', 'No events yet.')); return; }
  const last = items[items.length - 1].sequence;
  const q = new URLSearchParams(location.search);
  const at = Math.min(Number(q.get('at')) || last, last);
  const slider = h('input', { id: 'event-slider', type: 'range', min: items[0].sequence, max: last, step: 1, value: at,
    'aria-label': 'Show the run after event', 'aria-valuetext': 'event ' + at });
  const label = h('output', { id: 'slider-label', for: 'event-slider' });
  const state = h('section', { id: 'state', 'aria-live': 'polite' });
  const list = h('ol', { id: 'event-list', class: 'events' }, items.map(e => h('li', { dataset: { seq: e.sequence } },
    h('button', { type: 'button', class: 'link', onclick: () => { slider.value = e.sequence; update(); } },
      h('span', { class: 'mono' }, '#' + e.sequence), ' ', h('strong', {}, e.type), e.stepKey ? ' · ' + e.stepKey : '', ' · ', time(e.timestamp, { short: true })),
    h('details', {}, h('summary', {}, 'payload'), h('pre', {}, JSON.stringify(e.payload, null, 2))))));
  fill(main, 
    h('div', { class: 'titlebar' }, h('h1', {}, 'Events of run ', h('a', { href: '/runs/' + enc(runId), class: 'mono' }, shortId(runId)))),
    h('p', { class: 'muted' }, 'The event log is the run\'s source of truth. Move the slider to see the run as the gateway folded it after any event.'),
    h('div', { class: 'slider' }, slider, label), state, h('h2', {}, 'All events'), list);
  let seq = 0;
  const update = async () => {
    const n = Number(slider.value);
    label.textContent = `after event #${n} of ${last}`;
    slider.setAttribute('aria-valuetext', 'event ' + n);
    history.replaceState(null, '', location.pathname + (n === last ? '' : '?at=' + n));
    list.querySelectorAll('li').forEach(li => li.classList.toggle('current', Number(li.dataset.seq) === n));
    const mine = ++seq;
    const r = await api.get('/api/v1/runs/' + enc(runId) + '/state?sequence=' + n);
    if (mine !== seq) return;
    const run = r.run;
    fill(state, 
      h('p', {}, 'After ', h('strong', {}, r.event.type), r.event.stepKey ? ' of ' + r.event.stepKey : '', ' at ', time(r.event.timestamp), ': run ', h('span', { id: 'state-status' }, badge(run.status))),
      table(['Step', 'Status', 'Attempts'], run.steps.map(st => h('tr', { dataset: { step: st.key } }, h('td', {}, st.key), h('td', {}, badge(st.status)), h('td', { class: 'num' }, st.attempts))), { id: 'state-steps' }));
  };
  slider.addEventListener('input', update);
  await update();
}
