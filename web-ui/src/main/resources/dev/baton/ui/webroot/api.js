// The REST client. The session cookie (HttpOnly) authenticates every call; mutating calls carry the CSRF header.

export const CSRF_HEADER = 'X-Baton-UI';

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
    this.body = body || {};
  }
}

async function call(method, path, { body, headers = {} } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET') init.headers[CSRF_HEADER] = '1';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { message: text }; }
  if (!r.ok) {
    const e = new ApiError(r.status, json);
    if (r.status === 401) window.dispatchEvent(new CustomEvent('baton:unauthorized'));
    throw e;
  }
  return json;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, { body: body === undefined ? {} : body }),
  del: (path) => call('DELETE', path),
  /** Exchanges a token for the session cookie. */
  signIn: (token) => call('POST', '/api/v1/session', { headers: { Authorization: 'Bearer ' + token } }),
};

export const enc = encodeURIComponent;

/** The path of an asset key in the API: keep '/' between segments, encode each segment. */
export function assetPath(key) {
  return key.split('/').map(enc).join('/');
}

/**
 * A Server-Sent Events subscription that reconnects (EventSource does) and is closed by the returned function.
 * handlers: {eventName: fn(dataObject, MessageEvent)}; 'message' for unnamed events.
 */
export function stream(path, handlers) {
  const es = new EventSource(path, { withCredentials: true });
  const names = new Set(Object.keys(handlers));
  for (const name of names) {
    es.addEventListener(name, (ev) => {
      let data = null;
      try { data = JSON.parse(ev.data); } catch { data = ev.data; }
      handlers[name](data, ev);
    });
  }
  es.addEventListener('end', () => es.close());
  es.onerror = () => { if (es.readyState === EventSource.CLOSED && handlers.closed) handlers.closed(); };
  return () => es.close();
}
