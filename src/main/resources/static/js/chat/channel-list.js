// The channel list in the sidebar (unread counts, presence), the people picker and the home page.

import { api, post } from '../api.js';
import { avatar, fill, formatTime, h, toast } from '../dom.js';
import { channels, channelTitle, otherMember, presence, remember, session, views } from './store.js';

export function upsertChannel(channel) {
  if (!channel?.id) return;
  channel.members?.forEach(remember);
  channels.set(channel.id, { ...channels.get(channel.id), ...channel });
  renderList();
}

export async function loadChannels() {
  const { items } = await api('/api/channels');
  items.forEach(c => { c.members?.forEach(remember); channels.set(c.id, c); });
  renderList();
}

/** Contacts and channel members come with their presence; presence events bring its changes. */
export function loadContacts() {
  return api('/api/contacts').then(answer => {
    (answer?.items ?? []).forEach(remember);
    renderList();
    views.forEach(v => v.onPresence());
  }).catch(() => {});
}

export function presenceDot(userId) {
  const p = presence.get(userId);
  const online = Boolean(p?.online);
  return h('span', { class: `presence ${online ? 'online' : 'offline'}`, role: 'img',
    'aria-label': online ? 'online' : 'offline', title: online ? 'Online' : p?.lastSeenAt ? `Last seen ${formatTime(p.lastSeenAt)}` : 'Offline' });
}

/** The unread total in front of the tab's title, as "(3) Title". */
export function refreshTitle() {
  const total = [...channels.values()].reduce((sum, c) => sum + (c.unreadCount ?? 0), 0);
  const base = document.title.replace(/^\(\d+\) /, '');
  document.title = total ? `(${total}) ${base}` : base;
}

export function renderList() {
  const listEl = session.listEl;
  if (!listEl || !session.available) return;
  refreshTitle();
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
export function pickUsers({ title, multiple = false, withName = false, submitLabel }) {
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
          fill(results, items.filter(u => u.id !== session.me?.id).map(u => {
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
