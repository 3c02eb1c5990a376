// The channel's Files panel: the files shared in the loaded messages, picked to zip together.

import { fill, h, toast } from '../dom.js';
import { fileCard, requestZip } from '../files.js';
import { getJob } from '../jobs-store.js';
import { channelTitle, isMine } from './store.js';

/** The panel and its toggle; `messages` are the channel's loaded messages, `cards` collects the file cards to dispose. */
export function filesPanel({ channelId, channel, messages, cards }) {
  const panel = h('aside', { class: 'channel-files', id: 'channel-files', hidden: true, 'aria-label': 'Files in this channel' });
  const toggle = h('button', { class: 'button small ghost', id: 'toggle-files', 'aria-expanded': 'false', 'aria-controls': 'channel-files',
    onclick: () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) render();
    } }, 'Files');

  const selected = new Set();
  const zipCards = [];
  function render() {
    if (panel.hidden) return;
    const attachments = messages.flatMap(m => (m.attachments ?? []).map(a => ({ ...a, mine: isMine(m) })));
    const zipButton = h('button', { class: 'button small primary', id: 'zip-channel', disabled: selected.size === 0, onclick: async () => {
      zipButton.disabled = true;
      try {
        const jobId = await requestZip([...selected], { channelId, name: `${channelTitle(channel)}.zip` });
        const card = fileCard({ job: getJob(jobId) });
        cards.add(card);
        zipCards.unshift(card);
        render();
      } catch (e) {
        toast(`Zip refused: ${e.message}`, 'error');
        zipButton.disabled = false;
      }
    } }, 'Zip selected');
    fill(panel,
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

  return { panel, toggle, render };
}
