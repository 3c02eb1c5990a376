// The composer: the message box, sending text and files (pending copies first), and typing notices.

import { post } from '../api.js';
import { fileCard, filePicker } from '../files.js';
import { h, toast } from '../dom.js';
import { live, send } from '../socket.js';
import { uploadFiles } from '../uploads.js';

/** The composer of a channel; `list` is its message list, `cards` collects the file cards to dispose. */
export function composer({ channelId, list, cards }) {
  const input = h('textarea', { id: 'composer-input', rows: '1', placeholder: 'Write a message…',
    'aria-label': 'Message', maxlength: '4000' });
  const sendButton = h('button', { class: 'button primary', type: 'submit', id: 'send' }, 'Send');
  const form = h('form', { class: 'composer', onsubmit: e => { e.preventDefault(); sendText(); } },
    filePicker('Attach', files => sendFiles(files), 'attach-input'), input, sendButton);

  async function postMessage(message, attachments = []) {
    const body = { content: message.content, clientMessageId: message.clientMessageId };
    if (attachments.length) body.attachments = attachments;
    try {
      await post(`/api/channels/${channelId}/messages`, body);
      if (!live.open) setTimeout(list.refreshLatest, 500);
    } catch (e) {
      list.markFailed(message, e);
      toast(`Message not sent: ${e.message}`, 'error');
    }
  }

  async function sendText() {
    const content = input.value.trim();
    if (!content) return;
    input.value = '';
    resize();
    typing(false);
    await postMessage(list.showPending(content));
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

  input.addEventListener('input', () => { resize(); typing(input.value.length > 0); });
  input.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendText(); }
  });

  return { form, sendFiles, focus: () => input.focus(), stop: () => typing(false) };
}
