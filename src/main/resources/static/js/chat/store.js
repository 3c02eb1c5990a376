// The chat's shared state: channels, people and their presence, the open channel views, who is signed in.

export const channels = new Map();
export const users = new Map();
export const presence = new Map();
export const views = new Set();
export const session = { me: null, available: false, listEl: null };

export function clearStore() {
  channels.clear();
  users.clear();
  presence.clear();
  session.available = false;
  session.listEl = null;
}

export function remember(user) {
  if (user?.id) users.set(user.id, { ...users.get(user.id), ...user });
  if (user?.id && typeof user.online === 'boolean') presence.set(user.id, { online: user.online, lastSeenAt: user.lastSeenAt });
}

export const nameOf = userId => users.get(userId)?.displayName ?? users.get(userId)?.username ?? 'Someone';

export const isMine = message => message.senderId === session.me?.id;

export function otherMember(channel) {
  return channel.members?.find(m => m.id !== session.me?.id) ?? channel.members?.[0];
}

export function channelTitle(channel) {
  if (channel.type === 'direct') return otherMember(channel)?.displayName ?? otherMember(channel)?.username ?? 'Direct message';
  return channel.name ?? 'Channel';
}
