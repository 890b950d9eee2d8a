// Incidents of the alerting component: the list with a status filter, one incident, and Acknowledge (operator).
import { h, time, badge, shortId, table, kv, notice, fill } from './dom.js';
import { api, enc } from './api.js';
import { can, navigate, onLeave, stillOn } from './app.js';

/** The status filter: its URL value and the statuses the API is asked for. */
const FILTERS = [['open', 'open', 'OPEN'], ['acknowledged', 'acknowledged', 'ACKNOWLEDGED'], ['resolved', 'resolved', 'RESOLVED'],
  ['all', 'all', '']];
/** The list is read again this often (incidents change as runs fail and operators acknowledge). */
const LIST_REFRESH_MS = 10000;
/** After an acknowledgement, the incident is read again this often until the alerting component recorded it. */
const ACK_POLL_MS = 1000;

export async function incidentsPage(main) {
  document.title = 'Incidents · Baton';
  const q = new URLSearchParams(location.search);
  const filter = FILTERS.find(f => f[0] === q.get('status')) || FILTERS[0];
  const cursor = q.get('cursor') || '';
  const params = new URLSearchParams({ limit: '50' });
  if (filter[2]) params.set('status', filter[2]);
  if (cursor) params.set('cursor', cursor);
  const here = location.pathname + location.search;
  const page = await api.get('/api/v1/incidents?' + params);
  if (location.pathname + location.search !== here) return;
  const stSel = h('select', { id: 'filter-incident-status', onchange: () => navigate('/incidents?status=' + enc(stSel.value)) },
    FILTERS.map(([v, text]) => h('option', { value: v, selected: v === filter[0] }, text)));
  const older = page.nextCursor ? '/incidents?' + new URLSearchParams({ status: filter[0], cursor: page.nextCursor }) : null;
  fill(main,
    h('div', { class: 'titlebar' }, h('h1', {}, 'Incidents')),
    h('form', { class: 'filters', id: 'incidents-filters', onsubmit: e => e.preventDefault() },
      h('label', {}, 'Status ', stSel),
      cursor ? h('a', { href: '/incidents?status=' + enc(filter[0]) }, '← Newest') : null),
    table(['Job', 'Condition', 'Severity', 'Status', 'Occurrences', 'Opened', 'Last occurred', 'Message'],
      page.items.map(i => h('tr', { dataset: { incident: i.incidentId, status: i.status } },
        h('td', {}, i.job ? h('a', { href: '/jobs/' + enc(i.job) }, i.job) : h('span', { class: 'muted' }, i.subject || '—')),
        h('td', {}, h('a', { href: '/incidents/' + enc(i.incidentId), title: i.incidentId }, i.condition)),
        h('td', {}, badge(i.severity)),
        h('td', {}, badge(i.status), i.escalated ? h('span', { class: 'small muted' }, ' escalated') : null),
        h('td', { class: 'num' }, i.occurrences),
        h('td', {}, time(i.openedAt)),
        h('td', {}, time(i.lastOccurredAt)),
        h('td', { class: 'small' }, i.message || ''))),
      { id: 'incidents-table' }),
    older ? h('p', {}, h('a', { href: older, id: 'incidents-older' }, 'Older →')) : null);
  const timer = setTimeout(() => { if (stillOn('/incidents') && location.pathname + location.search === here) incidentsPage(main); }, LIST_REFRESH_MS);
  onLeave(() => clearTimeout(timer));
}

export async function incidentPage(main, id) {
  document.title = 'Incident ' + shortId(id) + ' · Baton';
  const path = location.pathname;
  const i = await api.get('/api/v1/incidents/' + enc(id));
  if (!stillOn(path)) return;
  const facts = {
    Job: i.job ? h('a', { href: '/jobs/' + enc(i.job) }, i.job) : (i.subject || '—'),
    Condition: i.condition, Rule: i.ruleName || i.ruleId, Severity: badge(i.severity),
    Occurrences: String(i.occurrences), Opened: time(i.openedAt), 'Last occurred': time(i.lastOccurredAt),
  };
  if (i.lastRunId) facts['Last run'] = h('a', { href: '/runs/' + enc(i.lastRunId), class: 'mono', title: i.lastRunId }, shortId(i.lastRunId));
  if (i.escalated) facts.Escalated = 'yes';
  if (i.acknowledgedAt) facts.Acknowledged = h('span', { id: 'incident-acked' }, time(i.acknowledgedAt), i.acknowledgedBy ? ' by ' + i.acknowledgedBy : '');
  if (i.resolvedAt) facts.Resolved = h('span', {}, time(i.resolvedAt), i.resolution ? ' · ' + i.resolution : '');
  if ((i.destinations || []).length) facts.Notified = i.destinations.join(', ');
  const msg = h('div', { id: 'ack-message', 'aria-live': 'polite' });
  fill(main,
    h('div', { class: 'titlebar' }, h('h1', {}, 'Incident ', h('span', { class: 'mono', title: i.incidentId }, shortId(i.incidentId))),
      h('span', { id: 'incident-status' }, badge(i.status)), h('span', { class: 'spacer' }),
      h('a', { href: '/incidents', class: 'button secondary' }, 'All incidents')),
    h('p', { id: 'incident-message' }, i.message || ''),
    kv(facts),
    can('operator') && i.status === 'OPEN' ? ackForm(i, msg, () => incidentPage(main, id)) : null,
    msg);
}

/** Acknowledge with an optional note; the alerting component records it, so the page polls until it shows. */
function ackForm(i, msg, refresh) {
  const note = h('textarea', { id: 'ack-note', name: 'note', rows: 2, maxlength: 1000, placeholder: 'optional', 'aria-describedby': 'ack-help' });
  const button = h('button', { type: 'submit', id: 'ack' }, 'Acknowledge');
  const path = location.pathname;
  return h('form', { id: 'ack-form', class: 'card', onsubmit: async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    try {
      const text = note.value.trim();
      await api.post('/api/v1/incidents/' + enc(i.incidentId) + '/ack', text ? { note: text } : {});
      fill(msg, notice('info', 'Acknowledging…'));
      const poll = async () => {
        if (!stillOn(path)) return;
        const now = await api.get('/api/v1/incidents/' + enc(i.incidentId)).catch(() => null);
        if (now && now.status !== 'OPEN') { refresh(); return; }
        const t = setTimeout(poll, ACK_POLL_MS);
        onLeave(() => clearTimeout(t));
      };
      poll();
    } catch (e) {
      fill(msg, notice('error', e.message));
      button.disabled = false;
    }
  } },
  h('label', { for: 'ack-note' }, 'Note'), note,
  h('p', { id: 'ack-help', class: 'muted small' }, 'Acknowledging records who looks into it: occurrences are still counted, and no escalation is sent.'),
  button);
}
