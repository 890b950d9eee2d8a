// The single-page shell: sign-in, navigation (history API), and the page registry.
import { h, notice, fill } from './dom.js';
import { api, ApiError } from './api.js';
import * as runs from './runs.js';
import * as catalog from './catalog.js';
import * as incidents from './incidents.js';
import * as backfills from './backfills.js';

export const session = { me: null };

/** Whether the signed-in caller may do what needs `role` (viewer < operator < admin). */
export function can(role) {
  const order = ['viewer', 'operator', 'admin'];
  return session.me && order.indexOf(session.me.role) >= order.indexOf(role);
}

const routes = [
  [/^\/login$/, loginPage],
  [/^\/(runs)?$/, runs.runsPage],
  [/^\/runs\/([^/]+)\/events$/, runs.eventsPage],
  [/^\/runs\/([^/]+)$/, runs.runPage],
  [/^\/jobs$/, catalog.jobsPage],
  [/^\/jobs\/([^/]+)$/, catalog.jobPage],
  [/^\/assets$/, catalog.assetsPage],
  [/^\/assets\/(.+)$/, catalog.assetPage],
  [/^\/schedules$/, catalog.schedulesPage],
  [/^\/agents$/, catalog.agentsPage],
  [/^\/backfills$/, backfills.backfillsPage],
  [/^\/backfills\/([^/]+)$/, backfills.backfillPage],
  [/^\/incidents$/, incidents.incidentsPage],
  [/^\/incidents\/([^/]+)$/, incidents.incidentPage],
];

let disposers = [];
let renderId = 0;

/** Registers cleanup (close streams, stop timers) for when the page is left. */
export function onLeave(fn) { disposers.push(fn); }

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  render();
}

function header() {
  const here = location.pathname;
  const link = (href, text) => h('a', { href, class: here === href || here.startsWith(href + '/') ? 'active' : null,
    'aria-current': here === href ? 'page' : null }, text);
  const top = document.getElementById('top');
  fill(top, h('nav', { 'aria-label': 'Main' },
    h('a', { href: '/runs', class: 'brand' }, 'Baton'),
    link('/runs', 'Runs'), link('/jobs', 'Jobs'), link('/assets', 'Assets'), link('/schedules', 'Schedules'), link('/backfills', 'Backfills'), link('/agents', 'Agents'), link('/incidents', 'Incidents'),
    h('span', { class: 'spacer' }),
    session.me ? [h('span', { class: 'who', title: 'Signed in with token ' + session.me.name },
      session.me.name, ' · ', h('span', { id: 'role' }, session.me.role)),
      h('button', { type: 'button', class: 'link', id: 'sign-out', onclick: signOut }, 'Sign out')] : null));
}

async function signOut() {
  try { await api.del('/api/v1/session'); } catch { /* the cookie is gone or invalid either way */ }
  session.me = null;
  navigate('/login');
}

async function loginPage(main) {
  document.title = 'Sign in · Baton';
  const params = new URLSearchParams(location.search);
  const next = params.get('next') || '/runs';
  const msg = h('div', { id: 'login-message', 'aria-live': 'polite' });
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true,
    placeholder: 'baton_…', 'aria-describedby': 'token-help' });
  const form = h('form', { id: 'login', class: 'card narrow', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      session.me = await api.signIn(input.value.trim());
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/runs', { replace: true });
    } catch (e) {
      fill(msg, notice('error', e instanceof ApiError && e.status === 401 ? 'That token is not valid.' : e.message));
    }
  } },
  h('h1', {}, 'Sign in to Baton'),
  h('label', { for: 'token' }, 'API token'), input,
  h('p', { id: 'token-help', class: 'muted' }, '`baton dev` prints a ready sign-in link; the admin token is in <data-dir>/admin.token.'),
  h('button', { type: 'submit' }, 'Sign in'), msg);
  fill(main, form);
  input.focus();
}

export async function render() {
  const id = ++renderId;
  disposers.forEach(fn => { try { fn(); } catch { /* ignore */ } });
  disposers = [];
  const main = document.getElementById('main');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (!session.me && path !== '/login') {
    navigate('/login?next=' + encodeURIComponent(location.pathname + location.search), { replace: true });
    return;
  }
  header();
  for (const [re, page] of routes) {
    const m = path.match(re);
    if (m) {
      try {
        await page(main, ...m.slice(1).map(decodeURIComponent));
      } catch (e) {
        if (id === renderId && !(e instanceof ApiError && e.status === 401)) {
          fill(main, notice('error', h('strong', {}, 'Could not load this page: '), e.message));
        }
      }
      return;
    }
  }
  fill(main, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, path), '. ', h('a', { href: '/runs' }, 'Runs')));
}

/** True while the page that started an async load is still the one shown. */
export function stillOn(path) { return location.pathname === path; }

document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[href]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/') || a.target || a.hasAttribute('download')) return;
  ev.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', render);
window.addEventListener('baton:unauthorized', () => {
  if (location.pathname !== '/login') { session.me = null; render(); }
});

async function start() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token !== null) {
    url.searchParams.delete('token'); // off the address bar (and history) before anything else
    history.replaceState(null, '', url.pathname + (url.search || '') + url.hash);
    try { session.me = await api.signIn(token); } catch { /* falls through to the sign-in form */ }
  }
  // baton_ui is the script-readable companion of the HttpOnly session cookie: without it there is no session to ask
  // about (and no 401 to log in the console).
  if (!session.me && document.cookie.split(';').some(c => c.trim().startsWith('baton_ui=1'))) {
    try { session.me = await api.get('/api/v1/whoami'); } catch { session.me = null; }
  }
  if (session.me && location.pathname === '/login') {
    const next = new URLSearchParams(location.search).get('next');
    history.replaceState(null, '', next && next.startsWith('/') && !next.startsWith('//') ? next : '/runs');
  }
  render();
}

start();
