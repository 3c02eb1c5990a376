// The page of one channel: its header (members, presence), message list, composer and Files panel.

import { post } from '../api.js';
import { fill, h, toast } from '../dom.js';
import { dropTarget, resumeBanner } from '../files.js';
import { live } from '../socket.js';
import { pickUsers, presenceDot, renderList } from './channel-list.js';
import { composer } from './composer.js';
import { filesPanel } from './files-panel.js';
import { messageList } from './message-list.js';
import { channels, channelTitle, isMine, nameOf, otherMember, presence, session, views } from './store.js';

/** A channel's page; `messageId` (from a search result) is shown in context once history is loaded. */
export function channelPage(main, channelId, messageId = null) {
  const channel = channels.get(channelId);
  if (!channel) {
    fill(main, h('div', { class: 'empty-state' }, h('h1', {}, 'Channel not found'),
      h('p', { class: 'muted' }, 'It may have been removed, or you are not a member.')));
    return null;
  }
  const cards = new Set();
  const unreadAtOpen = channel.unreadCount ?? 0;
  const typingUsers = new Map();
  let disposed = false;

  const list = messageList({ channelId, channel, cards, onChange: () => files.render(), onReply: m => compose.replyingTo(m) });
  const files = filesPanel({ channelId, channel, cards });
  const compose = composer({ channelId, list, cards });
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite', id: 'typing' });
  const memberLine = h('span', { class: 'muted members' });
  const headingMark = h('span', { class: 'heading-mark' });
  const header = h('header', { class: 'channel-header' },
    h('div', { class: 'channel-heading' },
      headingMark, h('h1', { text: channelTitle(channel) }), memberLine),
    h('div', { class: 'toolbar' },
      channel.type !== 'direct' && ['owner', 'admin'].includes(channel.members?.find(m => m.id === session.me?.id)?.role)
        && h('button', { class: 'button small ghost', id: 'add-member', onclick: addMember }, 'Add people'),
      files.toggle));
  const view = h('div', { class: 'channel-view' }, header,
    h('div', { class: 'channel-body' },
      h('section', { class: 'conversation', 'aria-label': 'Conversation' },
        resumeBanner(compose.sendFiles, channelId), list.log, typingLine, compose.form), files.panel));
  fill(main, view);
  const stopDrops = dropTarget(main, dropped => compose.sendFiles(dropped));

  function renderMembers() {
    const members = channels.get(channelId)?.members ?? [];
    fill(headingMark, channel.type === 'direct'
      ? presenceDot(otherMember(channel)?.id)
      : h('span', { class: 'hash', 'aria-hidden': 'true' }, '#'));
    memberLine.textContent = channel.type === 'direct'
      ? (presence.get(otherMember(channel)?.id)?.online ? 'online' : '')
      : `${members.length} member${members.length === 1 ? '' : 's'}`;
  }

  function renderTyping() {
    const names = [...typingUsers.keys()].map(nameOf);
    typingLine.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
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
      const stick = list.nearBottom() || isMine(message);
      if (list.place(message) && stick) list.toBottom();
      typingUsers.delete(message.senderId);
      renderTyping();
      list.renderReceipts();
      files.render();
      list.markRead();
    },
    onTyping({ channelId: id, userId, typing: active }) {
      if (id !== channelId || userId === session.me?.id) return;
      clearTimeout(typingUsers.get(userId));
      if (active) typingUsers.set(userId, setTimeout(() => { typingUsers.delete(userId); renderTyping(); }, 6000));
      else typingUsers.delete(userId);
      renderTyping();
    },
    onReceipt(receipt) {
      if (receipt.channelId && receipt.channelId !== channelId) return;
      list.onReceipt(receipt);
    },
    onPresence() { renderMembers(); },
    onUpdated(message) { if (message?.channelId === channelId) list.applyUpdate(message); },
    onDeleted(data) { if (data?.channelId === channelId) list.applyDelete(data); },
    onReaction(data) { if (data?.channelId === channelId) list.applyReaction(data); },
    resync() { list.refreshLatest(); list.loadReceipts(); },
  };
  views.add(controller);

  // while the socket is down, new messages come from reading the latest page again
  const poll = setInterval(() => { if (!live.open) list.refreshLatest(); }, 2000);
  const onVisible = () => { if (!document.hidden) list.markRead(); };
  document.addEventListener('visibilitychange', onVisible);

  renderMembers();
  renderList();
  const jump = h('button', { class: 'button small jump-unread', id: 'jump-unread', hidden: true, type: 'button' }, 'Jump to first unread');
  header.querySelector('.toolbar').prepend(jump);
  list.loadOlder().then(() => {
    const first = list.markFirstUnread(unreadAtOpen);
    if (first && !messageId) {
      jump.hidden = false;
      jump.onclick = () => { first.scrollIntoView({ block: 'start' }); jump.hidden = true; };
    }
    list.markRead();
    list.loadReceipts();
    if (messageId) list.reveal(messageId);
  });
  compose.focus();
  return () => {
    disposed = true;
    compose.stop();
    list.closeMenu();
    views.delete(controller);
    stopDrops();
    cards.forEach(card => card.dispose());
    clearInterval(poll);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
