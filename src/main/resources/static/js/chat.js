// Channels and messages: the channel list with unread counts and presence, the message view
// with history paging, live messages, typing, read receipts and file attachments.
// The views live in chat/: store, channel list, channel view (message list, composer, files panel).

import { toast } from './dom.js';
import { on } from './socket.js';
import { loadChannels, loadContacts, refreshTitle, renderList, upsertChannel } from './chat/channel-list.js';
import { notifyIfHidden } from './chat/notifications.js';
import { channels, clearStore, presence, remember, session, views } from './chat/store.js';

export { homePage, refreshTitle } from './chat/channel-list.js';
export { channelPage } from './chat/channel-view.js';
export { notificationButton } from './chat/notifications.js';
export { searchPage } from './chat/search-page.js';

let subscribed = false;
let loadedAt = 0;

export const available = () => session.available;

export function reset() {
  clearStore();
}

/** Loads the channels; without a chat API (404) the client runs as files and jobs only. */
export async function start(section, user) {
  session.me = user;
  remember(user);
  session.listEl = section;
  try {
    await loadChannels();
    loadedAt = Date.now();
    session.available = true;
    section.hidden = false;
    loadContacts();
  } catch (e) {
    session.available = false;
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
      if (message.senderId !== session.me?.id && !shown) channel.unreadCount = (channel.unreadCount ?? 0) + 1;
      renderList();
      notifyIfHidden(channel, message);
    } else if (session.available) {
      loadChannels().catch(() => {});
    }
    views.forEach(v => v.onMessage(message));
  });
  on('channel.updated', data => upsertChannel(data?.channel ?? data));
  on('message.updated', data => views.forEach(v => v.onUpdated(data?.message)));
  on('message.deleted', data => views.forEach(v => v.onDeleted(data)));
  on('reaction', data => views.forEach(v => v.onReaction(data)));
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
    // why: the first socket of a page load asks for a resync too; the channels read moments ago are that state
    if (!session.available || Date.now() - loadedAt < 5000) return;
    loadChannels().catch(() => {});
    views.forEach(v => v.resync());
  });
}
