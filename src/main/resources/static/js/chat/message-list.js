// A channel's messages: history paging, live messages in seq order, pending copies of what is being sent,
// read receipts and attachment cards.

import { api, post } from '../api.js';
import { avatar, fill, formatTime, h, toast } from '../dom.js';
import { fileCard } from '../files.js';
import { renderList } from './channel-list.js';
import { richText } from './rich-text.js';
import { channels, isMine, nameOf, session, users } from './store.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

const PAGE = 30;

function attachmentJob(a) {
  return { jobId: a.jobId, uploadId: a.uploadId, fileName: a.fileName, fileSize: a.size, detectedType: a.detectedType,
    status: a.status, outputs: a.outputs ?? {}, metadata: a.metadata, progress: a.progress ?? 0, error: a.error };
}

/**
 * The message log of one channel; `cards` collects the file cards to dispose, `onChange` runs when
 * history grows, `onReply(message)` when someone picks Reply in a message's menu.
 */
export function messageList({ channelId, channel, cards, onChange, onReply = () => {} }) {
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

  function mentionedAs(message) {
    const members = channels.get(channelId)?.members ?? [];
    return name => {
      const member = members.find(m => m.username?.toLowerCase() === name);
      if (!member || !(message.mentions ?? []).includes(member.id)) return false;
      return member.id === session.me?.id ? 'me' : true;
    };
  }

  function canDelete(message) {
    if (isMine(message)) return true;
    const role = channels.get(channelId)?.members?.find(m => m.id === session.me?.id)?.role;
    return channel.type !== 'direct' && (role === 'owner' || role === 'admin');
  }

  function reactionRow(message) {
    const reactions = (message.reactions ?? []).filter(r => r.count > 0);
    if (!reactions.length || message.deletedAt) return null;
    return h('div', { class: 'reactions' }, reactions.map(r => {
      const mine = r.me ?? (r.userIds ?? []).includes(session.me?.id);
      const who = (r.userIds ?? []).map(nameOf).join(', ');
      return h('button', { type: 'button', class: `reaction${mine ? ' mine' : ''}`, 'aria-pressed': String(Boolean(mine)),
        'aria-label': `${r.emoji} ${r.count}${who ? `: ${who}` : ''}`, title: who, dataset: { emoji: r.emoji },
        onclick: () => react(message, r.emoji, !mine) }, `${r.emoji} ${r.count}`);
    }));
  }

  function messageElement(message, reuseAttachments = null) {
    const mine = isMine(message);
    const deleted = Boolean(message.deletedAt);
    const sender = users.get(message.senderId) ?? { id: message.senderId };
    const receipt = mine && !deleted ? h('footer', { class: 'receipt' }, receiptText(message)) : null;
    if (receipt) receipt.dataset.receipt = receipt.textContent;
    const quote = message.replyTo && !deleted ? h('button', { type: 'button', class: 'quote', 'aria-label': 'Show the message replied to',
      onclick: () => reveal(message.replyTo.id) },
      h('strong', { text: message.replyTo.senderId ? nameOf(message.replyTo.senderId) : '' }),
      h('span', { text: message.replyTo.content || 'Deleted message' })) : null;
    const menu = message.id && !deleted ? h('button', { type: 'button', class: 'icon-button message-menu', 'aria-label': 'Message actions',
      'aria-haspopup': 'menu', 'aria-expanded': 'false', onclick: e => openMenu(message, e.currentTarget) }, '⋯') : null;
    const mentionsMe = (message.mentions ?? []).includes(session.me?.id);
    return h('article', { class: `message${mine ? ' mine' : ''}${message.id ? '' : ' pending'}${deleted ? ' deleted' : ''}${mentionsMe ? ' mentions-me' : ''}`,
      dataset: { messageId: message.id ?? '', clientMessageId: message.clientMessageId ?? '' }, tabindex: '-1' },
      avatar(sender, 'sm'),
      h('div', { class: 'bubble' },
        h('header', {}, h('strong', { text: mine ? 'You' : nameOf(message.senderId) }),
          h('time', { datetime: message.createdAt ?? '', text: formatTime(message.createdAt ?? new Date().toISOString()) }),
          message.editedAt && !deleted ? h('span', { class: 'edited' }, '(edited)') : null, menu),
        quote,
        deleted ? h('p', { class: 'text tombstone' }, 'This message was deleted.')
          : message.content ? h('p', { class: 'text' }, richText(message.content, mentionedAs(message))) : null,
        deleted ? null : attachmentCards(message, reuseAttachments),
        reactionRow(message),
        receipt));
  }

  /** Draws a message again after a change (edit, delete, reaction), keeping its file cards. */
  function redraw(message) {
    const old = elements.get(message);
    if (!old) return;
    const el = messageElement(message, message.deletedAt ? null : old.querySelector('.attachments'));
    elements.set(message, el);
    old.replaceWith(el);
    decorate();
  }

  let openedMenu = null;
  function closeMenu() {
    openedMenu?.menu.remove();
    openedMenu?.button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside, true);
    openedMenu = null;
  }
  function outside(e) { if (openedMenu && !openedMenu.menu.contains(e.target) && e.target !== openedMenu.button) closeMenu(); }

  function openMenu(message, button) {
    const again = openedMenu?.button === button;
    closeMenu();
    if (again) return;
    const item = (label, action, extra = {}) => h('button', { type: 'button', role: 'menuitem', ...extra,
      onclick: () => { closeMenu(); action(); } }, label);
    const menu = h('div', { class: 'menu', role: 'menu', 'aria-label': 'Message actions',
      onkeydown: e => { if (e.key === 'Escape') { closeMenu(); button.focus(); } } },
      h('div', { class: 'quick-reactions' }, QUICK_REACTIONS.map(emoji =>
        item(emoji, () => react(message, emoji, true), { 'aria-label': `React with ${emoji}`, class: 'emoji' }))),
      item('Reply', () => onReply(message), { class: 'reply-action' }),
      isMine(message) && item('Edit', () => startEdit(message), { class: 'edit-action' }),
      canDelete(message) && item('Delete', () => confirmDelete(message), { class: 'delete-action danger' }));
    button.setAttribute('aria-expanded', 'true');
    button.closest('.bubble').append(menu);
    openedMenu = { menu, button };
    setTimeout(() => document.addEventListener('click', outside, true));
    menu.querySelector('button')?.focus();
  }

  async function react(message, emoji, added) {
    try {
      await api(`/api/messages/${message.id}/reactions/${encodeURIComponent(emoji)}`, { method: added ? 'PUT' : 'DELETE' });
      applyReaction({ messageId: message.id, emoji, userId: session.me?.id, added });
    } catch (e) {
      toast(`Reaction not saved: ${e.message}`, 'error');
    }
  }

  /** A reaction event (or one's own answer): idempotent, so the event after one's own call changes nothing. */
  function applyReaction({ messageId, emoji, userId, added }) {
    const message = byId.get(messageId);
    if (!message) return;
    const reactions = message.reactions ?? (message.reactions = []);
    let r = reactions.find(x => x.emoji === emoji);
    const had = r ? (userId === session.me?.id && r.me !== undefined ? r.me : (r.userIds ?? []).includes(userId)) : false;
    if (had === added) return;
    if (!r) { r = { emoji, count: 0, userIds: [] }; reactions.push(r); }
    r.count += added ? 1 : -1;
    r.userIds = added ? [...(r.userIds ?? []), userId].slice(0, 10) : (r.userIds ?? []).filter(id => id !== userId);
    if (userId === session.me?.id) r.me = added;
    if (r.count <= 0) message.reactions = reactions.filter(x => x !== r);
    redraw(message);
  }

  function startEdit(message) {
    const el = elements.get(message);
    const text = el?.querySelector('.text');
    if (!el || !text) return;
    const box = h('textarea', { class: 'edit-input', 'aria-label': 'Edit message', maxlength: '4000', rows: '2' });
    box.value = message.content;
    const cancel = () => redraw(message);
    const save = async () => {
      const content = box.value.trim();
      if (!content || content === message.content) { cancel(); return; }
      try {
        const updated = await api(`/api/messages/${message.id}`, { method: 'PATCH', body: { content } });
        applyUpdate(updated);
      } catch (e) {
        toast(`Not saved: ${e.message}`, 'error');
      }
    };
    box.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); save(); }
      if (e.key === 'Escape') { e.preventDefault(); cancel(); }
    });
    text.replaceWith(h('div', { class: 'editor' }, box, h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'button small ghost', onclick: cancel }, 'Cancel'),
      h('button', { type: 'button', class: 'button small primary save-edit', onclick: save }, 'Save'))));
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  /** Edits the last of one's own live messages (the Up arrow in an empty composer). */
  function editLastOwn() {
    const last = [...messages].reverse().find(m => m.id && isMine(m) && !m.deletedAt && m.content);
    if (last) startEdit(last);
    return Boolean(last);
  }

  function confirmDelete(message) {
    const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'delete-title' });
    const finish = async yes => {
      dialog.close();
      dialog.remove();
      if (!yes) return;
      try {
        await api(`/api/messages/${message.id}`, { method: 'DELETE' });
        applyDelete({ messageId: message.id, deletedAt: new Date().toISOString() });
      } catch (e) {
        toast(`Not deleted: ${e.message}`, 'error');
      }
    };
    fill(dialog, h('form', { method: 'dialog', onsubmit: e => { e.preventDefault(); finish(true); } },
      h('h2', { id: 'delete-title' }, 'Delete this message?'),
      h('p', { class: 'muted' }, 'It is deleted for everyone, with its files.'),
      h('div', { class: 'dialog-actions' },
        h('button', { class: 'button ghost', type: 'button', onclick: () => finish(false) }, 'Cancel'),
        h('button', { class: 'button danger', type: 'submit', id: 'confirm-delete' }, 'Delete'))));
    dialog.addEventListener('cancel', () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
  }

  function applyUpdate(updated) {
    const message = byId.get(updated?.id);
    if (!message || message.deletedAt) return;
    Object.assign(message, { content: updated.content, editedAt: updated.editedAt, mentions: updated.mentions });
    redraw(message);
  }

  function applyDelete({ messageId, deletedAt }) {
    const message = byId.get(messageId);
    if (!message || message.deletedAt) return;
    Object.assign(message, { content: '', attachments: [], reactions: [], deletedAt });
    redraw(message);
    onChange();
  }

  /** Scrolls to a message and marks it for a moment; loads older pages (up to 20) until it is there. */
  async function reveal(messageId) {
    for (let i = 0; i < 20 && !byId.has(messageId) && cursor !== undefined; i++) await loadOlder();
    const el = elements.get(byId.get(messageId));
    if (!el) { toast('That message is no longer in the history.'); return; }
    el.scrollIntoView({ block: 'center' });
    el.classList.add('flash');
    el.focus({ preventScroll: true });
    setTimeout(() => el.classList.remove('flash'), 2000);
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
    decorate();
    return true;
  }

  const GROUP_GAP = 5 * 60_000;
  const dayOf = m => new Date(m.createdAt ?? Date.now()).toDateString();
  function dayLabel(m) {
    const d = new Date(m.createdAt ?? Date.now());
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    if (d.toDateString() === today.toDateString()) return 'Today';
    if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
    return d.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  }
  /** Messages the viewer had not read when the channel opened; the first of them gets the "New messages" line. */
  let firstUnread = null;
  function markFirstUnread(count) {
    const theirs = messages.filter(m => m.id && !isMine(m));
    firstUnread = count > 0 && theirs.length ? theirs[Math.max(0, theirs.length - count)] : null;
    decorate();
    return firstUnread ? elements.get(firstUnread) : null;
  }

  /** Date lines before each day's first message, the "New messages" line, and consecutive messages of one sender grouped. */
  function decorate() {
    let prev = null;
    for (const m of messages) {
      const el = elements.get(m);
      if (!el) continue;
      const newDay = !prev || dayOf(prev) !== dayOf(m);
      const unreadStart = m === firstUnread;
      el.querySelectorAll(':scope > .separator').forEach(x => x.remove());
      if (unreadStart) el.prepend(h('div', { class: 'separator new-messages', role: 'separator', id: 'first-unread' }, 'New messages'));
      if (newDay) el.prepend(h('div', { class: 'separator day', role: 'separator' }, dayLabel(m)));
      const grouped = !newDay && !unreadStart && prev.senderId === m.senderId && !prev.deletedAt && !m.replyTo
        && new Date(m.createdAt ?? Date.now()) - new Date(prev.createdAt ?? Date.now()) < GROUP_GAP;
      el.classList.toggle('grouped', grouped);
      el.classList.toggle('separated', newDay || unreadStart);
      prev = m;
    }
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
    decorate();
    toBottom();
    return message;
  }

  /** Marks a message that could not be sent, with a Resend button that runs `retry`. */
  function markFailed(message, error, retry) {
    const el = elements.get(message);
    el?.classList.add('failed');
    const receipt = el?.querySelector('.receipt');
    if (!receipt) return;
    fill(receipt, h('span', { text: `Not sent: ${error.message}` }), ' ',
      h('button', { type: 'button', class: 'button small resend', onclick: () => {
        el.classList.remove('failed');
        fill(receipt, 'Sending…');
        retry();
      } }, 'Resend'));
  }

  function onReceipt({ messageId, userId, deliveredAt, readAt }) {
    if (readAt) readUpTo.set(userId, messageId);
    if (deliveredAt || readAt) deliveredUpTo.set(userId, messageId);
    renderReceipts();
  }

  log.addEventListener('scroll', () => { if (log.scrollTop < 80) loadOlder(); });

  return { log, messages, place, showPending, markFailed, nearBottom, toBottom, renderReceipts, onReceipt,
    markRead, loadOlder, refreshLatest, loadReceipts, applyUpdate, applyDelete, applyReaction, editLastOwn, reveal,
    closeMenu, markFirstUnread };
}
