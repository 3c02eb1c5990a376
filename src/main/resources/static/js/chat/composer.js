// The composer: the message box (with a draft per channel), replies, sending text, files and pasted
// images (pending copies first, resent on demand), and typing notices.

import { post } from '../api.js';
import { fileCard, filePicker } from '../files.js';
import { fill, h, toast } from '../dom.js';
import { live, send } from '../socket.js';
import { uploadFiles } from '../uploads.js';
import { nameOf } from './store.js';

// why: a draft outlives a switch of channel and a reload of the tab, not the session
const draftKey = channelId => `chute.draft.${channelId}`;

/** The composer of a channel; `list` is its message list, `cards` collects the file cards to dispose. */
export function composer({ channelId, list, cards }) {
  const input = h('textarea', { id: 'composer-input', rows: '1', placeholder: 'Write a message…',
    'aria-label': 'Message', maxlength: '4000' });
  const sendButton = h('button', { class: 'button primary', type: 'submit', id: 'send' }, 'Send');
  const replyBar = h('div', { class: 'reply-bar', hidden: true, 'aria-live': 'polite' });
  const form = h('form', { class: 'composer', onsubmit: e => { e.preventDefault(); sendText(); } },
    replyBar, filePicker('Attach', files => sendFiles(files), 'attach-input'), input, sendButton);
  input.value = sessionStorage.getItem(draftKey(channelId)) ?? '';
  let replyTo = null;

  function replyingTo(message) {
    replyTo = message;
    replyBar.hidden = !message;
    if (message) {
      fill(replyBar, h('span', { class: 'muted' }, 'Replying to '), h('strong', { text: nameOf(message.senderId) }),
        h('span', { class: 'reply-quote', text: message.content.slice(0, 200) }),
        h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Cancel the reply', onclick: () => replyingTo(null) }, '×'));
      input.focus();
    }
  }

  function saveDraft() {
    if (input.value) sessionStorage.setItem(draftKey(channelId), input.value);
    else sessionStorage.removeItem(draftKey(channelId));
  }

  /** Sends a pending message; the same clientMessageId on a resend, so it is stored once whatever happened. */
  async function postMessage(message, attachments = [], reply = null) {
    const body = { content: message.content, clientMessageId: message.clientMessageId };
    if (attachments.length) body.attachments = attachments;
    if (reply) body.replyTo = reply;
    try {
      await post(`/api/channels/${channelId}/messages`, body);
      if (!live.open) setTimeout(list.refreshLatest, 500);
    } catch (e) {
      list.markFailed(message, e, () => postMessage(message, attachments, reply));
      toast(`Message not sent: ${e.message}`, 'error');
    }
  }

  async function sendText() {
    const content = input.value.trim();
    if (!content) return;
    input.value = '';
    saveDraft();
    resize();
    typing(false);
    const reply = replyTo?.id ?? null;
    replyingTo(null);
    await postMessage(list.showPending(content), [], reply);
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
    if (content) { input.value = ''; saveDraft(); resize(); }
    const message = list.showPending(content, tray);
    let sent = false;
    const check = () => {
      if (sent || !tasks.every(t => ['processing', 'error', 'cancelled'].includes(t.state))) return;
      sent = true;
      const ids = tasks.filter(t => t.state === 'processing').map(t => t.uploadId);
      // the text goes even when no file could be sent: what was typed is never lost
      if (ids.length || message.content) postMessage(message, ids);
      else list.markFailed(message, new Error('no file could be sent'));
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

  function resize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  input.addEventListener('input', () => { resize(); saveDraft(); typing(input.value.length > 0); });
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendText(); }
    if (e.key === 'ArrowUp' && !input.value && list.editLastOwn()) e.preventDefault();
    if (e.key === 'Escape' && replyTo) replyingTo(null);
  });
  // an image pasted from the clipboard is sent like a dropped file
  input.addEventListener('paste', e => {
    const files = [...(e.clipboardData?.files ?? [])].filter(f => f.type.startsWith('image/'));
    if (!files.length) return;
    e.preventDefault();
    sendFiles(files);
  });
  resize();

  return { form, sendFiles, replyingTo, focus: () => input.focus(), stop: () => typing(false) };
}
