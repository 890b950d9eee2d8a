// Backfills: the list (/backfills?job=) and one backfill's page (/backfills/<id>) with its progress, Cancel and
// Retry failed. Backed by GET /api/v1/backfills[/{id}] and POST /api/v1/backfills/{id}/cancel|retry-failed.
import { h, s, time, badge, shortId, table, kv, notice, fill } from './dom.js';
import { api, enc, ApiError } from './api.js';
import { can, navigate, onLeave, stillOn } from './app.js';

/** Run statuses in the order the progress bar stacks them (finished first), with their colour class. */
const ORDER = ['SUCCEEDED', 'FAILED', 'REJECTED', 'CANCELED', 'CANCELING', 'RUNNING', 'QUEUED', 'NOT_STARTED'];
const FAILED = ['FAILED', 'REJECTED', 'CANCELED'];

const iso = (ms) => (ms === undefined || ms === null ? null : new Date(ms).toISOString());

function selection(b) {
  if (b.partitions) {
    return b.partitions.length <= 4 ? b.partitions.join(', ') : `${b.partitions.slice(0, 3).join(', ')} … (${b.partitions.length} listed)`;
  }
  return `${b.from ?? 'first'} → ${b.to ?? 'last ended'}`;
}

/** A stacked bar of the partitions' runs by status, with a text summary for screen readers and the test. */
export function progress(st, { id } = {}) {
  const total = Math.max(1, st.backfill.count);
  const runs = Object.fromEntries(Object.entries(st.runs || {}).filter(([, n]) => n > 0));
  const keys = [...ORDER.filter(k => runs[k]), ...Object.keys(runs).filter(k => !ORDER.includes(k))];
  let at = 0;
  const pct = Math.floor(100 * st.finished / total);
  const summary = `${st.finished} of ${st.backfill.count} finished (${pct}%)` + (keys.length ? ': ' + keys.map(k => `${runs[k]} ${k.toLowerCase().replace('_', ' ')}`).join(', ') : '');
  return h('div', { class: 'progress', id, dataset: { finished: st.finished, total: st.backfill.count } },
    // SVG widths, not style attributes: the page's Content-Security-Policy allows no inline styles.
    s('svg', { class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'progressbar', 'aria-valuemin': 0,
      'aria-valuemax': st.backfill.count, 'aria-valuenow': st.finished, 'aria-label': summary },
    s('rect', { x: 0, y: 0, width: 100, height: 10, class: 'track' }),
    keys.map(k => { const w = 100 * runs[k] / total; const r = s('rect', { x: at.toFixed(3), y: 0, width: w.toFixed(3), height: 10,
      class: 'seg st-' + k.toLowerCase().replace('_', '-') }, s('title', {}, `${k}: ${runs[k]}`)); at += w; return r; })),
    h('div', { class: 'small progress-text' }, summary));
}

export async function backfillsPage(main) {
  document.title = 'Backfills · Baton';
  const q = new URLSearchParams(location.search);
  const job = q.get('job') || '';
  const list = await api.get('/api/v1/backfills' + (job ? '?job=' + enc(job) : ''));
  // The list has the records; the run counts come from each backfill's status (the first 50 shown).
  const shown = list.items.slice(0, 50);
  const statuses = await Promise.all(shown.map(b => api.get('/api/v1/backfills/' + enc(b.id)).catch(() => null)));
  if (!stillOn('/backfills')) return;
  const jobInput = h('input', { id: 'filter-backfill-job', type: 'search', value: job, placeholder: 'job name', 'aria-label': 'Filter by job' });
  const filter = h('form', { class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    navigate('/backfills' + (jobInput.value.trim() ? '?job=' + enc(jobInput.value.trim()) : ''));
  } }, h('label', {}, 'Job ', jobInput), h('button', { type: 'submit', class: 'secondary' }, 'Filter'),
  job ? h('a', { href: '/backfills' }, 'all jobs') : null);
  fill(main, h('h1', {}, 'Backfills'), filter,
    table(['Backfill', 'Job', 'Partitions', 'Status', 'Progress', 'Requested'], shown.map((b, i) => h('tr', { dataset: { backfill: b.id, status: b.status } },
      h('td', {}, h('a', { href: '/backfills/' + enc(b.id), class: 'mono' }, shortId(b.id))),
      h('td', {}, h('a', { href: '/jobs/' + enc(b.job) }, b.job), h('span', { class: 'small muted' }, ' v' + b.jobVersion)),
      h('td', {}, selection(b), h('div', { class: 'small muted' }, b.count + ' partition' + (b.count === 1 ? '' : 's'))),
      h('td', {}, badge(statusOf(b, statuses[i]))),
      h('td', { class: 'progress-cell' }, statuses[i] ? progress(statuses[i]) : h('span', { class: 'muted' }, '—')),
      h('td', {}, time(iso(b.requestedAt)), b.requestedBy ? h('div', { class: 'small muted' }, 'by ' + b.requestedBy) : null))),
    { id: 'backfills-table' }),
    list.items.length > shown.length ? h('p', { class: 'muted small' }, `Showing the newest ${shown.length} of ${list.items.length}.`) : null,
    h('p', { class: 'muted small' }, 'Start a backfill with ', h('code', {}, 'baton backfill JOB --from K --to K'), ' or ', h('code', {}, 'POST /api/v1/jobs/{name}/backfills'), '. Refreshed every 5 s.'));
  const timer = setTimeout(() => { if (stillOn('/backfills')) backfillsPage(main); }, 5000);
  onLeave(() => clearTimeout(timer));
}

/**
 * The status to show: COMPLETED backfills (event-sourced backfills, issue 15) show their outcome; a record without one
 * (SUBMITTING/SUBMITTED) shows SUCCEEDED or FAILED once every partition's run has finished.
 */
function statusOf(b, st) {
  if (b.status === 'COMPLETED') return b.outcome || (st && FAILED.some(k => st.runs[k]) ? 'FAILED' : 'SUCCEEDED');
  if (!st || b.status === 'CANCELED' || !st.done) return b.status;
  return FAILED.some(k => st.runs[k]) ? 'FAILED' : 'SUCCEEDED';
}

export async function backfillPage(main, id) {
  document.title = 'Backfill ' + shortId(id) + ' · Baton';
  const path = location.pathname;
  const st = await api.get('/api/v1/backfills/' + enc(id));
  if (!stillOn(path)) return;
  const b = st.backfill;
  const failed = FAILED.reduce((n, k) => n + (st.runs[k] || 0), 0);
  const msg = h('div', { id: 'backfill-message', 'aria-live': 'polite' });
  const act = async (what, confirmText) => {
    if (confirmText && !confirm(confirmText)) return;
    try {
      const r = await api.post(`/api/v1/backfills/${enc(id)}/${what}`, {});
      fill(msg, notice('info', what === 'cancel' ? `Cancel requested for ${r.cancelRequested ?? 'the unfinished'} run(s).` : 'Requested.'));
    } catch (e) {
      fill(msg, notice('error', e instanceof ApiError && e.status === 404 ? `This gateway does not offer ${what} for backfills.` : e.message));
    }
    setTimeout(() => { if (stillOn(path)) backfillPage(main, id); }, 500);
  };
  const facts = {
    Job: h('a', { href: '/jobs/' + enc(b.job) }, b.job + ' v' + b.jobVersion),
    Partitions: h('span', {}, selection(b), h('span', { class: 'muted' }, ` · ${b.count} partition${b.count === 1 ? '' : 's'}`)),
    'Requested': h('span', {}, time(iso(b.requestedAt)), b.requestedBy ? ' by ' + b.requestedBy : ''),
  };
  if (b.submittedAt) facts['All runs requested'] = time(iso(b.submittedAt));
  if (b.canceledAt) facts.Canceled = h('span', {}, time(iso(b.canceledAt)), b.canceledBy ? ' by ' + b.canceledBy : '');
  if (b.maxConcurrent) facts['At most concurrent'] = String(b.maxConcurrent);
  if (b.pausedAt) facts.Paused = h('span', {}, time(iso(b.pausedAt)), b.pausedBy ? ' by ' + b.pausedBy : '');
  if (b.completedAt) facts.Completed = time(iso(b.completedAt));
  if (b.round) facts['Retry round'] = String(b.round);
  const pr = b.progress;
  if (pr) facts.Rate = `${pr.ratePerSecond ?? 0} partitions/s · ${pr.remaining ?? '?'} remaining · ${pr.running ?? 0} running`;
  if ((b.inFlight || []).length) facts['In flight'] = b.inFlight.slice(0, 20).join(', ') + (b.inFlight.length > 20 ? ' …' : '');
  if (Object.keys(b.params || {}).length) facts.Params = kv(b.params);
  const operator = can('operator');
  fill(main,
    h('p', { class: 'small' }, h('a', { href: '/backfills' }, '← All backfills')),
    h('div', { class: 'titlebar' }, h('h1', {}, 'Backfill ', h('span', { class: 'mono' }, shortId(id))),
      h('span', { id: 'backfill-status' }, badge(statusOf(b, st))),
      operator && b.status !== 'CANCELED' && !st.done
        ? h('button', { type: 'button', class: 'danger', id: 'backfill-cancel', onclick: () => act('cancel', `Cancel backfill ${shortId(id)}? No more runs start and its unfinished runs are canceled.`) }, 'Cancel backfill') : null,
      operator && b.status === 'RUNNING' && !st.done
        ? h('button', { type: 'button', class: 'secondary', id: 'backfill-pause', onclick: () => act('pause') }, 'Pause') : null,
      operator && b.status === 'PAUSED'
        ? h('button', { type: 'button', class: 'secondary', id: 'backfill-resume', onclick: () => act('resume') }, 'Resume') : null,
      operator && failed > 0 && st.done && b.status !== 'CANCELED'
        ? h('button', { type: 'button', class: 'secondary', id: 'backfill-retry', onclick: () => act('retry-failed') }, `Retry ${failed} failed`) : null),
    h('p', { class: 'small muted mono', title: 'backfill id' }, id),
    msg,
    h('h2', {}, 'Progress'), progress(st, { id: 'backfill-progress' }),
    table(['Run status', 'Partitions'], Object.entries(st.runs).filter(([, n]) => n > 0).map(([k, n]) => h('tr', { dataset: { status: k } },
      h('td', {}, badge(k)), h('td', { class: 'num' }, String(n)))), { id: 'backfill-counts' }),
    h('p', {}, h('a', { href: '/runs?job=' + enc(b.job) }, 'Runs of ' + b.job + ' →'),
      h('span', { class: 'small muted' }, ` (each partition's run has the tag baton.backfill: ${id})`)),
    h('h2', {}, 'Details'), kv(facts));
  if (!st.done) {
    const timer = setTimeout(() => { if (stillOn(path)) backfillPage(main, id); }, 2000);
    onLeave(() => clearTimeout(timer));
  }
}
