// Desktop notifications (Notification API) for direct messages and mentions of the viewer while the
// tab is hidden, as the channel's notification level allows; permission is asked on a click only.

import { h } from '../dom.js';
import { channelTitle, nameOf, session } from './store.js';

const supported = () => typeof Notification !== 'undefined';

/** A sidebar button that asks for the permission, shown while it has not been given or refused. */
export function notificationButton() {
  if (!supported() || Notification.permission !== 'default') return null;
  const button = h('button', { class: 'button small ghost wide', id: 'enable-notifications', onclick: async () => {
    const answer = await Notification.requestPermission();
    if (answer !== 'default') button.remove();
  } }, 'Enable desktop notifications');
  return button;
}

/** Shows a notification for a message to the viewer (direct, or mentioning them) while the tab is hidden. */
export function notifyIfHidden(channel, message) {
  if (!document.hidden || !supported() || Notification.permission !== 'granted') return;
  if (message.senderId === session.me?.id || channel.notifications === 'none') return;
  const mentioned = (message.mentions ?? []).includes(session.me?.id);
  if (!(channel.type === 'direct' && channel.notifications !== 'mentions') && !mentioned) return;
  const text = message.content || (message.attachments?.length ? 'Sent a file' : '');
  const notification = new Notification(channel.type === 'direct' ? nameOf(message.senderId)
    : `${nameOf(message.senderId)} in ${channelTitle(channel)}`, { body: text.slice(0, 200), tag: message.id });
  notification.onclick = () => {
    window.focus();
    location.hash = `#/c/${channel.id}/m/${message.id}`;
    notification.close();
  };
}
