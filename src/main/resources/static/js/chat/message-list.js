// A channel's messages: history paging, live messages in seq order, pending copies of what is being sent,
// read receipts and attachment cards.

import { api, post } from '../api.js';
import { avatar, formatTime, h } from '../dom.js';
import { fileCard } from '../files.js';
import { renderList } from './channel-list.js';
import { channels, isMine, nameOf, session, users } from './store.js';

const PAGE = 30;

function attachmentJob(a) {
  return { jobId: a.jobId, uploadId: a.uploadId, fileName: a.fileName, fileSize: a.size, detectedType: a.detectedType,
    status: a.status, outputs: a.outputs ?? {}, metadata: a.metadata, progress: a.progress ?? 0, error: a.error };
}

/** The message log of one channel; `cards` collects the file cards to dispose, `onChange` runs when history grows. */
export function messageList({ channelId, channel, cards, onChange }) {
  const messages = [];
  const byId = new Map();
  const elements = new Map();
  const pendingByClientId = new Map();
  const readUpTo = new Map();
  const deliveredUpTo = new Map();
  let cursor = null;
  let loadingOlder = false;

  const log = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: '0' });
  const olderStatus = h('p', { class: 'history muted', 'aria-live': 'polite' });
  const list = h('div', { class: 'message-list' });
  log.append(olderStatus, list);

  function receiptText(message) {
    if (!message.id) return 'Sending…';
    const index = messages.indexOf(message);
    const others = (channels.get(channelId)?.members ?? []).filter(m => m.id !== session.me?.id);
    const reached = marks => others.filter(m => {
      const upTo = byId.get(marks.get(m.id));
      return upTo && messages.indexOf(upTo) >= index;
    });
    const read = reached(readUpTo);
    if (read.length && (channel.type === 'direct' || read.length === others.length)) return 'Read';
    if (read.length) return `Read by ${read.length}`;
    if (reached(deliveredUpTo).length) return 'Delivered';
    return 'Sent';
  }

  function renderReceipts() {
    for (const message of messages) {
      if (!isMine(message)) continue;
      const el = elements.get(message)?.querySelector('.receipt');
      if (el) { el.textContent = receiptText(message); el.dataset.receipt = el.textContent; }
    }
  }

  function attachmentCards(message, reuse) {
    if (reuse) return reuse;
    if (!message.attachments?.length) return null;
    return h('div', { class: 'attachments' }, message.attachments.map(a => {
      // members may read an attachment's job, so its card follows it like one of their own
      const card = fileCard({ job: attachmentJob(a), own: isMine(message), compact: true });
      cards.add(card);
      return card;
    }));
  }

  function messageElement(message, reuseAttachments = null) {
    const mine = isMine(message);
    const sender = users.get(message.senderId) ?? { id: message.senderId };
    const receipt = mine ? h('footer', { class: 'receipt' }, receiptText(message)) : null;
    if (receipt) receipt.dataset.receipt = receipt.textContent;
    return h('article', { class: `message${mine ? ' mine' : ''}${message.id ? '' : ' pending'}`,
      dataset: { messageId: message.id ?? '', clientMessageId: message.clientMessageId ?? '' } },
      avatar(sender, 'sm'),
      h('div', { class: 'bubble' },
        h('header', {}, h('strong', { text: mine ? 'You' : nameOf(message.senderId) }),
          h('time', { datetime: message.createdAt ?? '', text: formatTime(message.createdAt ?? new Date().toISOString()) })),
        message.content ? h('p', { class: 'text', text: message.content }) : null,
        attachmentCards(message, reuseAttachments),
        receipt));
  }

  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 120; }
  function toBottom() { log.scrollTop = log.scrollHeight; }

  /** Puts a message in time order, replacing its pending copy (same clientMessageId). */
  function place(message) {
    if (message.id && byId.has(message.id)) return false;
    let reuse = null;
    const pending = message.clientMessageId && pendingByClientId.get(message.clientMessageId);
    if (pending) {
      pendingByClientId.delete(message.clientMessageId);
      reuse = elements.get(pending)?.querySelector('.attachments') ?? null;
      elements.get(pending)?.remove();
      elements.delete(pending);
      messages.splice(messages.indexOf(pending), 1);
    }
    if (message.id) byId.set(message.id, message);
    const el = messageElement(message, reuse && message.attachments?.length ? reuse : null);
    elements.set(message, el);
    // a channel numbers its messages (seq); pending ones stay at the end
    const order = m => m.seq ?? Number.MAX_SAFE_INTEGER;
    let at = messages.length;
    while (at > 0 && order(messages[at - 1]) > order(message)) at--;
    messages.splice(at, 0, message);
    const next = messages[at + 1];
    next ? list.insertBefore(el, elements.get(next)) : list.append(el);
    return true;
  }

  let readSent = null;
  async function markRead() {
    const last = [...messages].reverse().find(m => m.id && !isMine(m));
    if (!last || last.id === readSent || document.hidden) return;
    readSent = last.id;
    try {
      await post(`/api/channels/${channelId}/read`, { messageId: last.id });
      const c = channels.get(channelId);
      if (c) { c.unreadCount = 0; renderList(); }
    } catch { readSent = null; }
  }

  async function loadOlder() {
    if (loadingOlder || cursor === undefined) return;
    loadingOlder = true;
    olderStatus.textContent = 'Loading earlier messages…';
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set('before', cursor);
    try {
      const page = await api(`/api/channels/${channelId}/messages?${query}`);
      const before = log.scrollHeight;
      const first = messages.length === 0;
      page.items.forEach(place);
      cursor = page.nextCursor ?? undefined;
      olderStatus.textContent = cursor === undefined ? 'This is the beginning of the conversation.' : '';
      if (first) toBottom(); else log.scrollTop += log.scrollHeight - before;
      onChange();
    } catch (e) {
      olderStatus.textContent = `Cannot load messages: ${e.message}`;
    } finally {
      loadingOlder = false;
    }
  }

  async function refreshLatest() {
    try {
      const page = await api(`/api/channels/${channelId}/messages?limit=${PAGE}`);
      const stick = nearBottom();
      let added = false;
      page.items.forEach(m => { added = place(m) || added; });
      if (added && stick) toBottom();
      if (added) { markRead(); onChange(); }
    } catch { /* the next round tries again */ }
  }

  async function loadReceipts() {
    const lastMine = [...messages].reverse().find(m => m.id && isMine(m));
    if (!lastMine) return;
    try {
      const { items } = await api(`/api/messages/${lastMine.id}/receipts`);
      for (const r of items) {
        if (r.readAt && !readUpTo.has(r.userId)) readUpTo.set(r.userId, lastMine.id);
        if (r.deliveredAt && !deliveredUpTo.has(r.userId)) deliveredUpTo.set(r.userId, lastMine.id);
      }
      renderReceipts();
    } catch { /* receipts are a nicety */ }
  }

  function newClientId() {
    return crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  /** Shows what is being sent at the end of the log until the stored message replaces it. */
  function showPending(content, attachmentsEl = null) {
    const message = { clientMessageId: newClientId(), channelId, senderId: session.me.id, content, attachments: [] };
    pendingByClientId.set(message.clientMessageId, message);
    messages.push(message);
    const el = messageElement(message, attachmentsEl);
    elements.set(message, el);
    list.append(el);
    toBottom();
    return message;
  }

  function markFailed(message, error) {
    const el = elements.get(message);
    el?.classList.add('failed');
    const receipt = el?.querySelector('.receipt');
    if (receipt) receipt.textContent = `Not sent: ${error.message}`;
  }

  function onReceipt({ messageId, userId, deliveredAt, readAt }) {
    if (readAt) readUpTo.set(userId, messageId);
    if (deliveredAt || readAt) deliveredUpTo.set(userId, messageId);
    renderReceipts();
  }

  log.addEventListener('scroll', () => { if (log.scrollTop < 80) loadOlder(); });

  return { log, messages, place, showPending, markFailed, nearBottom, toBottom, renderReceipts, onReceipt,
    markRead, loadOlder, refreshLatest, loadReceipts };
}
