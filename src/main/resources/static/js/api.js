// The JSON API: bearer token, problem+json errors, 401 back to sign-in.

const TOKEN = 'chute.token';
const USER = 'chute.user';

export const session = {
  get token() { return localStorage.getItem(TOKEN); },
  get user() {
    try { return JSON.parse(localStorage.getItem(USER)); } catch { return null; }
  },
  save(token, user) {
    localStorage.setItem(TOKEN, token);
    localStorage.setItem(USER, JSON.stringify(user));
  },
  clear() {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
  },
};

/** An answer that was not 2xx, with the problem's `detail` as its message. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || (status ? `The server answered ${status}` : 'Chute cannot be reached'));
    this.status = status;
    this.problem = problem ?? {};
  }
}

const unauthorizedListeners = new Set();
export function onUnauthorized(listener) { unauthorizedListeners.add(listener); }
export function signedOut() {
  session.clear();
  unauthorizedListeners.forEach(l => l());
}

/** Reads a failed response (fetch Response or XMLHttpRequest) into an ApiError. */
export async function problemOf(response) {
  const text = await response.text();
  return problemFromText(response.status, text);
}

export function problemFromText(status, text) {
  let problem = null;
  try { problem = JSON.parse(text); } catch { /* not JSON: keep a short plain-text detail */ }
  if (!problem || typeof problem !== 'object') {
    problem = text && text.length < 300 && !/^\s*</.test(text) ? { detail: text.trim() } : {};
  }
  return new ApiError(status, problem);
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { detail: 'Chute cannot be reached. Check your connection.' });
  }
  if (response.status === 401 && !path.startsWith('/api/auth/')) {
    signedOut();
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : null;
}

export const post = (path, body = {}) => api(path, { method: 'POST', body });

/**
 * The short-lived signed URL behind /api/uploads/{id}/download. The 302 needs the bearer token,
 * which a plain link cannot send: fetch follows it with the header, and the body is dropped
 * as soon as the final URL is known.
 */
export async function signedDownloadUrl(uploadId) {
  const controller = new AbortController();
  const response = await fetch(`/api/uploads/${encodeURIComponent(uploadId)}/download`, {
    headers: { Authorization: `Bearer ${session.token}` },
    signal: controller.signal,
  });
  if (!response.ok) {
    if (response.status === 401) signedOut();
    throw await problemOf(response);
  }
  const url = response.url;
  controller.abort();
  return url;
}

/** Starts a browser download of url (a signed URL that needs no token). */
export function saveAs(url, fileName) {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName ?? '';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
