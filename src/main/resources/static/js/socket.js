// The live connection: /ws with the token, JSON envelopes {type, seq, data}. It reconnects by
// itself with exponential backoff and asks for what it missed with ?since= the last seq seen.

import { session, signedOut } from './api.js';

const SEQ = 'chute.seq';
const listeners = new Map();
let socket = null;
let attempt = 0;
let reconnectTimer = null;
let pingTimer = null;
let stopped = true;
let nextFrameId = 1;
const pending = new Map();

export const live = {
  get open() { return socket?.readyState === WebSocket.OPEN && socket.authenticated === true; },
};

/** fn(data, envelope) for every server event of that type; '*' gets all; 'state' gets connection changes. */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

function emit(type, data, envelope) {
  for (const fn of [...(listeners.get(type) ?? []), ...(type === 'state' ? [] : listeners.get('*') ?? [])]) {
    try { fn(data, envelope); } catch (e) { console.error(e); }
  }
}

/** The seq of the last event seen in this tab, or null before the first 'ready'. */
function lastSeq() {
  const stored = sessionStorage.getItem(SEQ);
  return stored === null ? null : Number(stored);
}

export function connect() {
  stopped = false;
  if (socket || !session.token) return;
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('access_token', session.token);
  if (lastSeq() !== null) url.searchParams.set('since', String(lastSeq()));
  const ws = new WebSocket(url);
  socket = ws;
  emit('state', 'connecting');
  ws.onmessage = event => {
    let envelope;
    try { envelope = JSON.parse(event.data); } catch { return; }
    if (envelope.type === 'ready') {
      ready(envelope.data ?? {});
      return;
    }
    if (typeof envelope.seq === 'number' && envelope.seq > (lastSeq() ?? -1)) {
      sessionStorage.setItem(SEQ, String(envelope.seq));
    }
    if (['ack', 'pong', 'error'].includes(envelope.type) && pending.has(envelope.id)) {
      const { resolve, reject } = pending.get(envelope.id);
      pending.delete(envelope.id);
      envelope.type === 'error' ? reject(envelope.data) : resolve(envelope.data);
      return;
    }
    emit(envelope.type, envelope.data, envelope);
  };
  ws.onclose = event => {
    if (socket === ws) socket = null;
    clearInterval(pingTimer);
    for (const { reject } of pending.values()) reject({ status: 0, detail: 'connection closed' });
    pending.clear();
    emit('state', 'closed');
    if (event.code === 4401) {
      signedOut();
      return;
    }
    // any other code (4503: the server's bus missed events) reconnects with ?since= the last seq,
    // and the replay brings what was missed
    if (event.code === 4400) {
      // the server cannot replay from that seq: start afresh, and 'resync' tells views to reload
      sessionStorage.removeItem(SEQ);
    }
    if (!stopped) scheduleReconnect();
  };
}

/**
 * The server's first frame once the socket is authenticated and the replay is queued:
 * {latestSeq, replayed, complete}. When the replay could not cover the whole gap (or there was
 * no seq to replay from), listeners of 'resync' read their state again over HTTP.
 */
function ready({ latestSeq, complete }) {
  // a seq beyond the server's newest means another server (or a reset one): nothing to replay from
  const resumed = lastSeq() !== null && !(latestSeq < lastSeq());
  if (!resumed && typeof latestSeq === 'number') sessionStorage.setItem(SEQ, String(latestSeq));
  socket.authenticated = true;
  attempt = 0;
  emit('state', 'open');
  if (!resumed || complete === false) emit('resync');
  clearInterval(pingTimer);
  // why: proxies drop idle WebSockets, and the server closes a socket it has not heard from
  pingTimer = setInterval(() => send('ping').catch(() => {}), 25_000);
}

function scheduleReconnect() {
  clearTimeout(reconnectTimer);
  // 1 s, 2 s, 4 s … capped at 30 s, with jitter so a restarted server is not hit all at once
  const delay = Math.min(30_000, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
  attempt++;
  reconnectTimer = setTimeout(connect, delay);
}

export function disconnect() {
  stopped = true;
  clearTimeout(reconnectTimer);
  sessionStorage.removeItem(SEQ);
  socket?.close(1000);
  socket = null;
}

/** Sends a client frame; resolves with the ack's data, rejects with the error's data. */
export function send(type, data) {
  if (!live.open) return Promise.reject({ status: 0, detail: 'not connected' });
  const id = String(nextFrameId++);
  socket.send(JSON.stringify(data === undefined ? { type, id } : { type, id, data }));
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    setTimeout(() => {
      if (pending.delete(id)) reject({ status: 0, detail: 'no answer' });
    }, 10_000);
  });
}

// reconnect at once when the browser comes back online instead of waiting out the backoff
addEventListener('online', () => {
  if (!stopped && !socket) { attempt = 0; clearTimeout(reconnectTimer); connect(); }
});
