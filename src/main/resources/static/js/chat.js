// Channels and messages: the channel list with unread counts and presence, the message view
// with history paging, live messages, typing, read receipts and file attachments.

import { api, post } from './api.js';
import { avatar, fill, formatTime, h, toast } from './dom.js';
import { dropTarget, fileCard, filePicker, requestZip } from './files.js';
import { getJob } from './jobs-store.js';
import { live, on, send } from './socket.js';
import { uploadFiles } from './uploads.js';

const PAGE = 30;
const channels = new Map();
const users = new Map();
const presence = new Map();
const views = new Set();
let me = null;
let listEl = null;
let chatAvailable = false;
let subscribed = false;

export const available = () => chatAvailable;

export function reset() {
  channels.clear();
  users.clear();
  presence.clear();
  chatAvailable = false;
  listEl = null;
}

function remember(user) {
  if (user?.id) users.set(user.id, { ...users.get(user.id), ...user });
  if (user?.id && typeof user.online === 'boolean') presence.set(user.id, { online: user.online, lastSeenAt: user.lastSeenAt });
}

const nameOf = userId => users.get(userId)?.displayName ?? users.get(userId)?.username ?? 'Someone';

function otherMember(channel) {
  return channel.members?.find(m => m.id !== me?.id) ?? channel.members?.[0];
}

function channelTitle(channel) {
  if (channel.type === 'direct') return otherMember(channel)?.displayName ?? otherMember(channel)?.username ?? 'Direct message';
  return channel.name ?? 'Channel';
}

function upsertChannel(channel) {
  if (!channel?.id) return;
  channel.members?.forEach(remember);
  channels.set(channel.id, { ...channels.get(channel.id), ...channel });
  renderList();
}

async function loadChannels() {
  const { items } = await api('/api/channels');
  items.forEach(c => { c.members?.forEach(remember); channels.set(c.id, c); });
  renderList();
}

/** Contacts and channel members come with their presence; presence events bring its changes. */
function loadContacts() {
  return api('/api/contacts').then(answer => {
    (answer?.items ?? []).forEach(remember);
    renderList();
    views.forEach(v => v.onPresence());
  }).catch(() => {});
}

/** Loads the channels; without a chat API (404) the client runs as files and jobs only. */
export async function start(section, user) {
  me = user;
  remember(user);
  listEl = section;
  try {
    await loadChannels();
    chatAvailable = true;
    section.hidden = false;
    loadContacts();
  } catch (e) {
    chatAvailable = false;
    section.hidden = true;
    if (e.status !== 404 && e.status !== 405) toast(`Cannot load channels: ${e.message}`, 'error');
  }
  if (subscribed) return;
  subscribed = true;
  on('message.created', message => {
    if (!message?.channelId) return;
    const channel = channels.get(message.channelId);
    const shown = [...views].some(v => v.channelId === message.channelId && v.visible());
    if (channel) {
      channel.lastMessage = message;
      if (message.senderId !== me?.id && !shown) channel.unreadCount = (channel.unreadCount ?? 0) + 1;
      renderList();
    } else if (chatAvailable) {
      loadChannels().catch(() => {});
    }
    views.forEach(v => v.onMessage(message));
  });
  on('channel.updated', data => upsertChannel(data?.channel ?? data));
  on('presence', data => {
    if (!data?.userId) return;
    presence.set(data.userId, { online: data.online, lastSeenAt: data.lastSeenAt });
    renderList();
    views.forEach(v => v.onPresence());
  });
  on('typing', data => views.forEach(v => v.onTyping(data)));
  on('message.receipt', data => views.forEach(v => v.onReceipt(data)));
  // the replay could not cover what was missed: read the channels and the open one again
  on('resync', () => {
    if (!chatAvailable) return;
    loadChannels().catch(() => {});
    views.forEach(v => v.resync());
  });
}

function presenceDot(userId) {
  const p = presence.get(userId);
  const online = Boolean(p?.online);
  return h('span', { class: `presence ${online ? 'online' : 'offline'}`, role: 'img',
    'aria-label': online ? 'online' : 'offline', title: online ? 'Online' : p?.lastSeenAt ? `Last seen ${formatTime(p.lastSeenAt)}` : 'Offline' });
}

function renderList() {
  if (!listEl || !chatAvailable) return;
  const current = location.hash.match(/^#\/c\/([^/?]+)/)?.[1];
  const sorted = [...channels.values()].sort((a, b) =>
    String(b.lastMessage?.createdAt ?? b.createdAt ?? '').localeCompare(String(a.lastMessage?.createdAt ?? a.createdAt ?? '')));
  fill(listEl,
    h('div', { class: 'section-head' }, h('h2', { id: 'channels-title' }, 'Channels'),
      h('button', { class: 'icon-button', id: 'new-group', 'aria-label': 'New group channel', title: 'New group channel', onclick: newGroup }, '+')),
    h('ul', { class: 'channel-list', 'aria-labelledby': 'channels-title' }, sorted.map(c => {
      const unread = c.unreadCount ?? 0;
      const other = c.type === 'direct' ? otherMember(c) : null;
      return h('li', {}, h('a', { href: `#/c/${c.id}`, class: `channel-link${unread ? ' has-unread' : ''}`,
        'aria-current': c.id === current ? 'page' : false, dataset: { channelId: c.id } },
        other ? presenceDot(other.id) : h('span', { class: 'hash', 'aria-hidden': 'true' }, '#'),
        h('span', { class: 'channel-name', text: channelTitle(c) }),
        unread ? h('span', { class: 'unread', 'aria-label': `${unread} unread` }, String(unread)) : null));
    })),
    h('button', { class: 'button small ghost wide', id: 'new-direct', onclick: newDirect }, 'New direct message'));
}

/** A dialog to find people; resolves with {name, users} or null when dismissed. */
function pickUsers({ title, multiple = false, withName = false, submitLabel }) {
  return new Promise(resolve => {
    const picked = new Map();
    const results = h('ul', { class: 'user-results', 'aria-label': 'People found' });
    const chosen = h('p', { class: 'muted', 'aria-live': 'polite' });
    const nameInput = withName ? h('input', { id: 'channel-name', required: true, maxlength: '80' }) : null;
    const query = h('input', { id: 'user-query', type: 'search', autocomplete: 'off', placeholder: 'Name or username' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { class: 'button primary', type: 'submit', disabled: true }, submitLabel);
    const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'dialog-title' });
    let done = false;
    const finish = value => { if (!done) { done = true; dialog.close(); dialog.remove(); resolve(value); } };
    const refreshChosen = () => {
      chosen.textContent = picked.size ? `Chosen: ${[...picked.values()].map(u => u.displayName ?? u.username).join(', ')}` : '';
      submit.disabled = !picked.size || (withName && !nameInput.value.trim());
    };
    let timer;
    query.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const { items } = await api(`/api/users?query=${encodeURIComponent(query.value.trim())}`);
          fill(results, items.filter(u => u.id !== me?.id).map(u => {
            remember(u);
            const id = `pick-${u.id}`;
            const box = h('input', { type: multiple ? 'checkbox' : 'radio', name: 'picked-user', id, checked: picked.has(u.id),
              onchange: () => {
                if (!multiple) picked.clear();
                box.checked ? picked.set(u.id, u) : picked.delete(u.id);
                refreshChosen();
              } });
            return h('li', {}, box, h('label', { for: id }, avatar(u, 'sm'),
              h('span', { text: u.displayName ?? u.username }), h('span', { class: 'muted', text: ` @${u.username}` })));
          }));
          if (!items.length) fill(results, h('li', { class: 'muted' }, 'Nobody found.'));
        } catch (e) {
          error.textContent = e.message;
        }
      }, 200);
    });
    nameInput?.addEventListener('input', refreshChosen);
    fill(dialog, h('form', { method: 'dialog', onsubmit: e => { e.preventDefault(); finish({ name: nameInput?.value.trim(), users: [...picked.values()] }); } },
      h('h2', { id: 'dialog-title' }, title),
      withName && h('div', { class: 'field' }, h('label', { for: 'channel-name' }, 'Channel name'), nameInput),
      h('div', { class: 'field' }, h('label', { for: 'user-query' }, 'Find people'), query),
      results, chosen, error,
      h('div', { class: 'dialog-actions' },
        h('button', { class: 'button ghost', type: 'button', onclick: () => finish(null) }, 'Cancel'), submit)));
    dialog.addEventListener('cancel', () => finish(null));
    document.body.append(dialog);
    dialog.showModal();
    (withName ? nameInput : query).focus();
  });
}

async function newGroup() {
  const answer = await pickUsers({ title: 'New group channel', multiple: true, withName: true, submitLabel: 'Create channel' });
  if (!answer) return;
  try {
    const channel = await post('/api/channels', { name: answer.name, memberIds: answer.users.map(u => u.id) });
    upsertChannel(channel);
    location.hash = `#/c/${channel.id}`;
  } catch (e) {
    toast(`Cannot create the channel: ${e.message}`, 'error');
  }
}

async function newDirect() {
  const answer = await pickUsers({ title: 'New direct message', submitLabel: 'Open conversation' });
  if (!answer) return;
  try {
    const channel = await post('/api/channels/direct', { userId: answer.users[0].id });
    upsertChannel(channel);
    location.hash = `#/c/${channel.id}`;
  } catch (e) {
    toast(`Cannot open the conversation: ${e.message}`, 'error');
  }
}

export function homePage(main) {
  fill(main, h('div', { class: 'empty-state' },
    h('h1', {}, 'Welcome to Chute'),
    h('p', { class: 'muted' }, 'Pick a channel, or start a conversation. Drop files into any channel to share them.'),
    h('div', { class: 'toolbar center' },
      h('button', { class: 'button primary', onclick: newDirect }, 'New direct message'),
      h('button', { class: 'button', onclick: newGroup }, 'New group channel'))));
  return null;
}

function attachmentJob(a) {
  return { jobId: a.jobId, uploadId: a.uploadId, fileName: a.fileName, fileSize: a.size, detectedType: a.detectedType,
    status: a.status, outputs: a.outputs ?? {}, metadata: a.metadata, progress: a.progress ?? 0, error: a.error };
}

export function channelPage(main, channelId) {
  const channel = channels.get(channelId);
  if (!channel) {
    fill(main, h('div', { class: 'empty-state' }, h('h1', {}, 'Channel not found'),
      h('p', { class: 'muted' }, 'It may have been removed, or you are not a member.')));
    return null;
  }
  const messages = [];
  const byId = new Map();
  const elements = new Map();
  const pendingByClientId = new Map();
  const cards = new Set();
  const readUpTo = new Map();
  const deliveredUpTo = new Map();
  const typingUsers = new Map();
  let cursor = null;
  let loadingOlder = false;
  let disposed = false;

  const log = h('div', { class: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: '0' });
  const olderStatus = h('p', { class: 'history muted', 'aria-live': 'polite' });
  const list = h('div', { class: 'message-list' });
  log.append(olderStatus, list);
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite', id: 'typing' });
  const input = h('textarea', { id: 'composer-input', rows: '1', placeholder: 'Write a message…',
    'aria-label': 'Message', maxlength: '4000' });
  const sendButton = h('button', { class: 'button primary', type: 'submit', id: 'send' }, 'Send');
  const composer = h('form', { class: 'composer', onsubmit: e => { e.preventDefault(); sendText(); } },
    filePicker('Attach', files => sendFiles(files), 'attach-input'), input, sendButton);
  const filesPanel = h('aside', { class: 'channel-files', id: 'channel-files', hidden: true, 'aria-label': 'Files in this channel' });
  const filesToggle = h('button', { class: 'button small ghost', id: 'toggle-files', 'aria-expanded': 'false', 'aria-controls': 'channel-files',
    onclick: () => {
      filesPanel.hidden = !filesPanel.hidden;
      filesToggle.setAttribute('aria-expanded', String(!filesPanel.hidden));
      if (!filesPanel.hidden) renderFiles();
    } }, 'Files');
  const memberLine = h('span', { class: 'muted members' });
  const headingMark = h('span', { class: 'heading-mark' });
  const header = h('header', { class: 'channel-header' },
    h('div', { class: 'channel-heading' },
      headingMark, h('h1', { text: channelTitle(channel) }), memberLine),
    h('div', { class: 'toolbar' },
      channel.type !== 'direct' && ['owner', 'admin'].includes(channel.members?.find(m => m.id === me?.id)?.role)
        && h('button', { class: 'button small ghost', id: 'add-member', onclick: addMember }, 'Add people'),
      filesToggle));
  const view = h('div', { class: 'channel-view' }, header,
    h('div', { class: 'channel-body' }, h('section', { class: 'conversation', 'aria-label': 'Conversation' }, log, typingLine, composer), filesPanel));
  fill(main, view);
  const stopDrops = dropTarget(main, files => sendFiles(files));

  function renderMembers() {
    const members = channels.get(channelId)?.members ?? [];
    fill(headingMark, channel.type === 'direct'
      ? presenceDot(otherMember(channel)?.id)
      : h('span', { class: 'hash', 'aria-hidden': 'true' }, '#'));
    memberLine.textContent = channel.type === 'direct'
      ? (presence.get(otherMember(channel)?.id)?.online ? 'online' : '')
      : `${members.length} member${members.length === 1 ? '' : 's'}`;
  }

  function isMine(message) { return message.senderId === me?.id; }

  function receiptText(message) {
    if (!message.id) return 'Sending…';
    const index = messages.indexOf(message);
    const others = (channels.get(channelId)?.members ?? []).filter(m => m.id !== me?.id);
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
      renderFiles();
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
      if (added) { markRead(); renderFiles(); }
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

  function showPending(content, attachmentsEl = null) {
    const message = { clientMessageId: newClientId(), channelId, senderId: me.id, content, attachments: [] };
    pendingByClientId.set(message.clientMessageId, message);
    messages.push(message);
    const el = messageElement(message, attachmentsEl);
    elements.set(message, el);
    list.append(el);
    toBottom();
    return message;
  }

  async function postMessage(message, attachments = []) {
    const body = { content: message.content, clientMessageId: message.clientMessageId };
    if (attachments.length) body.attachments = attachments;
    try {
      await post(`/api/channels/${channelId}/messages`, body);
      if (!live.open) setTimeout(refreshLatest, 500);
    } catch (e) {
      const el = elements.get(message);
      el?.classList.add('failed');
      const receipt = el?.querySelector('.receipt');
      if (receipt) receipt.textContent = `Not sent: ${e.message}`;
      toast(`Message not sent: ${e.message}`, 'error');
    }
  }

  async function sendText() {
    const content = input.value.trim();
    if (!content) return;
    input.value = '';
    resize();
    typing(false);
    await postMessage(showPending(content));
  }

  /** Files dropped into the channel: one message that carries them once they are stored. */
  function sendFiles(files) {
    const tasks = uploadFiles(files, { channelId });
    const tray = h('div', { class: 'attachments' }, tasks.map(task => {
      const card = fileCard({ task, compact: true });
      cards.add(card);
      return card;
    }));
    const content = input.value.trim();
    if (content) { input.value = ''; resize(); }
    const message = showPending(content, tray);
    let sent = false;
    const check = () => {
      if (sent || !tasks.every(t => ['processing', 'error', 'cancelled'].includes(t.state))) return;
      sent = true;
      const ids = tasks.filter(t => t.state === 'processing').map(t => t.uploadId);
      if (ids.length) postMessage(message, ids);
    };
    tasks.forEach(t => t.addEventListener('change', check));
  }

  let typingSent = 0;
  let typingTimer = null;
  function typing(active) {
    clearTimeout(typingTimer);
    if (active) {
      if (Date.now() - typingSent > 3000) { typingSent = Date.now(); send('typing', { channelId, typing: true }).catch(() => {}); }
      typingTimer = setTimeout(() => typing(false), 4000);
    } else if (typingSent) {
      typingSent = 0;
      send('typing', { channelId, typing: false }).catch(() => {});
    }
  }

  function renderTyping() {
    const names = [...typingUsers.keys()].map(nameOf);
    typingLine.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  }

  function resize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  input.addEventListener('input', () => { resize(); typing(input.value.length > 0); });
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendText(); }
  });
  log.addEventListener('scroll', () => { if (log.scrollTop < 80) loadOlder(); });

  const selected = new Set();
  const zipCards = [];
  function renderFiles() {
    if (filesPanel.hidden) return;
    const attachments = messages.flatMap(m => (m.attachments ?? []).map(a => ({ ...a, mine: isMine(m) })));
    const zipButton = h('button', { class: 'button small primary', id: 'zip-channel', disabled: selected.size === 0, onclick: async () => {
      zipButton.disabled = true;
      try {
        const jobId = await requestZip([...selected], { channelId, name: `${channelTitle(channel)}.zip` });
        const card = fileCard({ job: getJob(jobId) });
        cards.add(card);
        zipCards.unshift(card);
        renderFiles();
      } catch (e) {
        toast(`Zip refused: ${e.message}`, 'error');
        zipButton.disabled = false;
      }
    } }, 'Zip selected');
    fill(filesPanel,
      h('div', { class: 'section-head' }, h('h2', {}, 'Files'), zipButton),
      attachments.length ? h('ul', { class: 'file-checklist' }, attachments.map(a => {
        const id = `pick-file-${a.uploadId}`;
        return h('li', {}, h('input', { type: 'checkbox', id, checked: selected.has(a.uploadId),
          disabled: a.status === 'REJECTED',
          onchange: e => { e.target.checked ? selected.add(a.uploadId) : selected.delete(a.uploadId); zipButton.disabled = !selected.size; } }),
        h('label', { for: id, text: a.fileName }));
      })) : h('p', { class: 'muted' }, 'No files shared here yet.'),
      zipCards);
  }

  function addMember() {
    pickUsers({ title: `Add people to ${channelTitle(channel)}`, multiple: true, submitLabel: 'Add' }).then(async answer => {
      if (!answer) return;
      for (const user of answer.users) {
        try {
          await post(`/api/channels/${channelId}/members`, { userId: user.id });
          const c = channels.get(channelId);
          if (c && !c.members?.some(m => m.id === user.id)) c.members = [...(c.members ?? []), user];
        } catch (e) {
          toast(`Cannot add ${user.displayName ?? user.username}: ${e.message}`, 'error');
        }
      }
      renderMembers();
    });
  }

  const controller = {
    channelId,
    visible: () => !disposed && !document.hidden,
    onMessage(message) {
      if (message.channelId !== channelId) return;
      const stick = nearBottom() || isMine(message);
      if (place(message) && stick) toBottom();
      typingUsers.delete(message.senderId);
      renderTyping();
      renderReceipts();
      renderFiles();
      markRead();
    },
    onTyping({ channelId: id, userId, typing: active }) {
      if (id !== channelId || userId === me?.id) return;
      clearTimeout(typingUsers.get(userId));
      if (active) typingUsers.set(userId, setTimeout(() => { typingUsers.delete(userId); renderTyping(); }, 6000));
      else typingUsers.delete(userId);
      renderTyping();
    },
    onReceipt({ channelId: id, messageId, userId, deliveredAt, readAt }) {
      if (id && id !== channelId) return;
      if (readAt) readUpTo.set(userId, messageId);
      if (deliveredAt || readAt) deliveredUpTo.set(userId, messageId);
      renderReceipts();
    },
    onPresence() { renderMembers(); },
    resync() { refreshLatest(); loadReceipts(); },
  };
  views.add(controller);

  // while the socket is down, new messages come from reading the latest page again
  const poll = setInterval(() => { if (!live.open) refreshLatest(); }, 2000);
  const onVisible = () => { if (!document.hidden) markRead(); };
  document.addEventListener('visibilitychange', onVisible);

  renderMembers();
  renderList();
  loadOlder().then(() => { markRead(); loadReceipts(); });
  input.focus();
  return () => {
    disposed = true;
    typing(false);
    views.delete(controller);
    stopDrops();
    cards.forEach(card => card.dispose());
    clearInterval(poll);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

