// The channel's Files panel: every file ever shared in the channel (GET /api/channels/{id}/files),
// picked to zip together, and the channel's zips, which every member sees as they get ready.

import { api } from '../api.js';
import { fill, h, toast } from '../dom.js';
import { fileCard, requestZip } from '../files.js';
import { getJob, watchAllJobs } from '../jobs-store.js';
import { channelTitle } from './store.js';

const MAX_PAGES = 50;

/** Every file shared in the channel, newest first, following the cursor to the first one. */
async function sharedFiles(channelId) {
  const items = [];
  let before = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await api(`/api/channels/${channelId}/files?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    items.push(...answer.items);
    before = answer.nextCursor;
    if (!before) break;
  }
  return items;
}

/** The panel and its toggle; `cards` collects the file cards to dispose. */
export function filesPanel({ channelId, channel, cards }) {
  const panel = h('aside', { class: 'channel-files', id: 'channel-files', hidden: true, 'aria-label': 'Files in this channel' });
  const toggle = h('button', { class: 'button small ghost', id: 'toggle-files', 'aria-expanded': 'false', 'aria-controls': 'channel-files',
    onclick: () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) render();
    } }, 'Files');

  const selected = new Set();
  const zipCards = new Map();
  let files = null;
  let loading = null;

  function showZip(job) {
    if (zipCards.has(job.jobId)) return;
    const card = fileCard({ job, own: false });
    cards.add(card);
    zipCards.set(job.jobId, card);
    paint();
  }

  // a zip of this channel, asked by any member, reaches every member through job.updated
  const unwatch = watchAllJobs(job => {
    if (job.type === 'zip' && job.metadata?.channelId === channelId) showZip(job);
  });
  cards.add({ dispose: unwatch });

  /** Fetches the list again (a file was just shared) and shows it when the panel is open. */
  function render() {
    if (panel.hidden) return;
    loading = sharedFiles(channelId).then(items => { files = items; paint(); })
      .catch(e => { if (!files) fill(panel, h('p', { class: 'form-error' }, `Files cannot be listed: ${e.message}`)); });
    if (!files) fill(panel, h('p', { class: 'muted' }, 'Loading files…'));
    return loading;
  }

  function paint() {
    if (panel.hidden || !files) return;
    const zipButton = h('button', { class: 'button small primary', id: 'zip-channel', disabled: selected.size === 0, onclick: async () => {
      zipButton.disabled = true;
      try {
        const jobId = await requestZip([...selected], { channelId, name: `${channelTitle(channel)}.zip` });
        showZip(getJob(jobId));
      } catch (e) {
        toast(`Zip refused: ${e.message}`, 'error');
        zipButton.disabled = false;
      }
    } }, 'Zip selected');
    fill(panel,
      h('div', { class: 'section-head' }, h('h2', {}, 'Files'), zipButton),
      files.length ? h('ul', { class: 'file-checklist' }, files.map(({ attachment: a }) => {
        const id = `pick-file-${a.uploadId}`;
        return h('li', {}, h('input', { type: 'checkbox', id, checked: selected.has(a.uploadId),
          disabled: a.status === 'REJECTED',
          onchange: e => { e.target.checked ? selected.add(a.uploadId) : selected.delete(a.uploadId); zipButton.disabled = !selected.size; } }),
        h('label', { for: id, text: a.fileName }));
      })) : h('p', { class: 'muted' }, 'No files shared here yet.'),
      [...zipCards.values()].reverse());
  }

  return { panel, toggle, render };
}
