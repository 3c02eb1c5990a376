// A file as a card: upload progress, then processing status, then its preview; and the
// "My files" page with drag-and-drop, selection and "Zip selected".

import { api, post, saveAs, signedDownloadUrl } from './api.js';
import { fill, formatBytes, h, toast } from './dom.js';
import { getJob, putJob, refreshJob, watchJob } from './jobs-store.js';
import { act } from './jobs.js';
import { cardImageOf, inlinePlayer, largeImageOf, opensAsDocument } from './previews.js';
import { forgetUpload, savedUploads, uploadFiles } from './uploads.js';

const STATUS_TEXT = {
  PENDING: 'Waiting to be processed',
  PROCESSING: 'Processing',
  RETRYING: 'Retrying soon',
  COMPLETED: 'Ready',
  FAILED: 'Processing failed',
  CANCELLED: 'Cancelled',
  REJECTED: 'Refused',
};

function kindOf(item) {
  const type = item.detectedType ?? item.contentType ?? '';
  if (item.type === 'zip' || type === 'application/zip') return 'zip';
  if (type === 'application/pdf' || /\.pdf$/i.test(item.fileName ?? '')) return 'pdf';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  return 'file';
}

const ICONS = { zip: 'ZIP', pdf: 'PDF', image: 'IMG', video: 'VID', file: 'FILE' };

const previewOf = cardImageOf;
const largeOf = largeImageOf;

const lightbox = (() => {
  let dialog;
  return (src, caption, open = null) => {
    if (!dialog) {
      dialog = h('dialog', { class: 'lightbox', 'aria-label': 'Preview' });
      dialog.addEventListener('click', e => { if (e.target === dialog) dialog.close(); });
      document.body.append(dialog);
    }
    fill(dialog,
      h('figure', {},
        h('img', { src, alt: caption, class: 'lightbox-image' }),
        h('figcaption', {}, h('span', { text: caption }),
          open ? h('button', { class: 'button', onclick: open }, 'Open') : null,
          h('button', { class: 'button ghost', onclick: () => dialog.close(), autofocus: true }, 'Close'))));
    dialog.showModal();
  };
})();

/**
 * A card for an upload in flight (task) or a known job. options.selectable adds a checkbox;
 * options.watch keeps it current from job.updated; options.own offers retry (the owner's only).
 */
export function fileCard({ task = null, job = null, watch = true, own = watch, selectable = false, onSelect = null, compact = false } = {}) {
  const name = task?.file.name ?? job?.fileName ?? 'file';
  const state = { job, task };
  const visual = h('div', { class: 'file-visual' });
  const meta = h('div', { class: 'file-meta' });
  const bar = h('div', { class: 'progress-bar' });
  const progress = h('div', { class: 'progress', role: 'progressbar', 'aria-label': `Progress of ${name}`,
    'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' }, bar);
  const status = h('div', { class: 'file-status', 'aria-live': 'polite' });
  const actions = h('div', { class: 'file-actions' });
  const checkbox = selectable
    ? h('input', { type: 'checkbox', class: 'file-select', 'aria-label': `Select ${name}`,
      onchange: () => onSelect?.(state.job?.uploadId ?? state.task?.uploadId, checkbox.checked) })
    : null;
  const card = h('article', { class: `file-card${compact ? ' compact' : ''}`, 'aria-label': name },
    visual,
    h('div', { class: 'file-body' },
      h('div', { class: 'file-title' }, checkbox, h('span', { class: 'file-name', title: name, text: name })),
      meta, progress, status, actions));
  let shownPreview = null;
  let unwatch = null;

  function render() {
    const { task: t, job: j } = state;
    const kind = kindOf(j ?? { fileName: name, contentType: t?.file.type });
    card.dataset.kind = kind;
    let percent = 0;
    let text = '';
    let phase;
    if (t && !j && t.state !== 'processing') {
      phase = t.state;
      percent = t.total ? Math.floor((100 * t.loaded) / t.total) : 100;
      text = {
        signing: 'Preparing…',
        uploading: `Uploading ${percent}% · ${formatBytes(t.loaded)} of ${formatBytes(t.total)}`,
        completing: 'Checking the file…',
        cancelled: 'Upload cancelled',
        error: t.refused ? `Refused: ${t.error?.message}` : `Upload failed: ${t.error?.message}`,
      }[t.state] ?? '';
    } else if (j) {
      phase = j.status?.toLowerCase() ?? 'pending';
      percent = j.status === 'COMPLETED' ? 100 : (j.progress ?? 0);
      text = STATUS_TEXT[j.status] ?? j.status ?? '';
      if (j.status === 'PROCESSING' && j.progress) text += ` ${j.progress}%`;
      if ((j.status === 'REJECTED' || j.status === 'FAILED') && j.error) text += `: ${j.error}`;
      if (j.status === 'RETRYING' && j.error) text += ` (${j.error})`;
    } else {
      phase = 'pending';
      text = 'Processing';
    }
    card.dataset.state = phase;
    bar.style.width = `${percent}%`;
    progress.setAttribute('aria-valuenow', String(percent));
    progress.classList.toggle('done', phase === 'completed');
    progress.classList.toggle('failed', ['error', 'rejected', 'failed', 'cancelled'].includes(phase));
    status.textContent = text;
    status.classList.toggle('error', ['error', 'rejected', 'failed'].includes(phase));

    const size = t?.total ?? j?.fileSize;
    const pages = j?.metadata?.pageCount;
    const type = j?.detectedType ?? t?.file.type;
    fill(meta, [formatBytes(size), !previewOf(j) && type ? type : null,
      kind === 'pdf' && pages ? `${pages} page${pages === 1 ? '' : 's'}` : null,
      dimensionsOf(j)]
      .filter(Boolean).join(' · '));

    const player = !shownPreview?.startsWith('player:') ? inlinePlayer(j, name) : null;
    if (player) {
      shownPreview = `player:${j.jobId}`;
      fill(visual, player);
    }
    const preview = shownPreview?.startsWith('player:') ? null : previewOf(j);
    // the same output under a fresh signature (or relative in events, absolute over HTTP) is not reloaded
    const previewPath = preview && new URL(preview.url, location.href).pathname;
    if (preview && shownPreview !== previewPath) {
      shownPreview = previewPath;
      const img = h('img', { class: 'thumb', src: preview.url, alt: `Preview of ${name}`, loading: 'lazy', decoding: 'async' });
      fill(visual, h('button', { class: 'visual-button', 'aria-label': `Open ${name}`, onclick: openLarge }, img));
    } else if (!preview && !visual.firstChild) {
      fill(visual, h('span', { class: 'file-icon', 'aria-hidden': 'true' }, ICONS[kind]));
    }

    const buttons = [];
    if (t && ['signing', 'uploading'].includes(t.state)) {
      buttons.push(h('button', { class: 'button small ghost', onclick: () => t.cancel() }, 'Cancel'));
    }
    if (t?.state === 'error' && !t.refused) {
      buttons.push(h('button', { class: 'button small', onclick: () => t.retry() }, 'Retry'));
    }
    if (j?.type === 'zip' && j.status === 'COMPLETED' && j.outputs?.archive) {
      buttons.push(h('a', { class: 'button small primary', href: j.outputs.archive.url, download: j.fileName ?? 'chute-archive.zip',
        'aria-label': j.fileName ? `Download zip ${j.fileName}` : 'Download zip' },
        'Download zip'));
    } else if (j?.uploadId && j.status !== 'REJECTED') {
      buttons.push(h('button', { class: 'button small ghost', onclick: () => download(j.uploadId, name) }, 'Download'));
    }
    if (j && own && ['FAILED', 'CANCELLED'].includes(j.status)) {
      buttons.push(h('button', { class: 'button small', onclick: () => act(`/api/jobs/${j.jobId}/retry`, 'Retry') }, 'Retry'));
    }
    fill(actions, buttons);
  }

  async function openLarge() {
    let j = state.job;
    // signed URLs last minutes: fetch fresh ones for an old card
    if (watch && j?.fetchedAt && Date.now() - j.fetchedAt > 3 * 60_000) j = await refreshJob(j.jobId).catch(() => j);
    const large = largeOf(j);
    if (large) lightbox(large.url, name, opensAsDocument(j) && j.uploadId ? () => download(j.uploadId, name) : null);
  }

  function setJob(next) {
    state.job = next;
    render();
  }

  function follow(jobId) {
    unwatch?.();
    if (watch) unwatch = watchJob(jobId, setJob);
  }

  if (task) {
    task.addEventListener('change', () => {
      if (task.jobId && !state.job) {
        state.job = getJob(task.jobId) ?? null;
        follow(task.jobId);
      }
      if (task.uploadId && checkbox) checkbox.disabled = false;
      render();
    });
  }
  if (job?.jobId) follow(job.jobId);
  render();
  card.update = next => { state.job = { ...state.job, ...next }; render(); };
  card.job = () => state.job;
  card.dispose = () => unwatch?.();
  return card;
}

export async function download(uploadId, fileName) {
  try {
    saveAs(await signedDownloadUrl(uploadId), fileName);
  } catch (e) {
    toast(`Cannot download ${fileName}: ${e.message}`, 'error');
  }
}

/** Makes el accept dropped files; calls onFiles(FileList). Returns the function that stops it. */
export function dropTarget(el, onFiles) {
  let depth = 0;
  const stop = new AbortController();
  const listen = (type, fn) => el.addEventListener(type, fn, { signal: stop.signal });
  listen('dragenter', e => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    depth++;
    el.classList.add('dragging');
  });
  listen('dragover', e => {
    if ([...(e.dataTransfer?.types ?? [])].includes('Files')) e.preventDefault();
  });
  listen('dragleave', () => {
    if (--depth <= 0) { depth = 0; el.classList.remove('dragging'); }
  });
  listen('drop', e => {
    e.preventDefault();
    depth = 0;
    el.classList.remove('dragging');
    if (e.dataTransfer?.files?.length) onFiles(e.dataTransfer.files);
  });
  return () => { stop.abort(); el.classList.remove('dragging'); };
}

/** A labelled "choose files" control: a real file input styled as a button. */
export function filePicker(label, onFiles, id) {
  const input = h('input', { type: 'file', multiple: true, id, class: 'visually-hidden',
    onchange: () => { if (input.files.length) onFiles(input.files); input.value = ''; } });
  return h('span', { class: 'picker' }, input, h('label', { for: id, class: 'button primary', tabindex: '-1' }, label));
}

/** The zip of selected uploads, as a card that shows its progress and then its link. */
export async function requestZip(uploadIds, { channelId = null, name } = {}) {
  const body = { uploadIds, ...(channelId ? { channelId } : {}), ...(name ? { name } : {}) };
  const accepted = await post('/api/zips', body);
  putJob({ jobId: accepted.jobId, type: 'zip', status: accepted.status, progress: 0, fileName: name ?? 'chute-archive.zip',
    detectedType: 'application/zip', outputs: {} });
  refreshJob(accepted.jobId).catch(() => {});
  return accepted.jobId;
}

/**
 * Pending multipart uploads from before a reload, with a way to resume or discard them: those
 * started on My files there, those started in a channel in that channel (so they are posted there).
 */
export function resumeBanner(onFiles, channelId = null) {
  const saved = savedUploads().filter(s => (s.channelId ?? null) === channelId);
  if (!saved.length) return null;
  const list = h('ul', { class: 'resume-list' });
  const banner = h('section', { class: 'notice', 'aria-label': 'Interrupted uploads' },
    h('strong', {}, 'Interrupted uploads'),
    h('p', {}, 'Pick the same file again to continue where it stopped.'), list);
  for (const s of saved) {
    const id = `resume-${s.uploadId}`;
    const input = h('input', { type: 'file', id, class: 'visually-hidden',
      onchange: () => { if (input.files.length) { onFiles(input.files); item.remove(); } } });
    const item = h('li', {},
      h('span', { class: 'file-name', text: `${s.fileName} (${formatBytes(s.size)})` }),
      input, h('label', { for: id, class: 'button small' }, 'Resume…'),
      h('button', { class: 'button small ghost', onclick: async () => {
        forgetUpload(s.uploadId);
        await api(`/api/uploads/${s.uploadId}`, { method: 'DELETE' }).catch(() => {});
        item.remove();
        if (!list.children.length) banner.remove();
      } }, 'Discard'));
    list.append(item);
  }
  return banner;
}

/** Uploads started on My files that have no job yet: shown again when the page is opened again. */
const inFlight = new Set();

/** #/files: my uploads and zips. */
export function filesPage(main) {
  const selected = new Set();
  const grid = h('div', { class: 'file-grid', id: 'file-grid' });
  const cards = new Map();
  const zipButton = h('button', { class: 'button', id: 'zip-selected', disabled: true, onclick: zipSelected }, 'Zip selected');
  const countLabel = h('span', { class: 'muted', 'aria-live': 'polite' });
  const empty = h('p', { class: 'empty', text: 'No files yet. Drop files here or choose them to upload.' });

  function onSelect(uploadId, on) {
    if (!uploadId) return;
    on ? selected.add(uploadId) : selected.delete(uploadId);
    zipButton.disabled = selected.size === 0;
    countLabel.textContent = selected.size ? `${selected.size} selected` : '';
  }

  function addCard(card, key, first = true) {
    empty.remove();
    cards.set(key, card);
    first ? grid.prepend(card) : grid.append(card);
  }

  function showTask(task) {
    addCard(fileCard({ task, selectable: true, onSelect }), task);
  }

  function onFiles(files) {
    for (const task of uploadFiles(files)) {
      inFlight.add(task);
      task.addEventListener('change', () => { if (task.jobId || task.state === 'cancelled') inFlight.delete(task); });
      showTask(task);
    }
  }

  async function zipSelected() {
    zipButton.disabled = true;
    try {
      const jobId = await requestZip([...selected]);
      addCard(fileCard({ job: getJob(jobId) }), jobId);
    } catch (e) {
      toast(`Zip refused: ${e.message}`, 'error');
    } finally {
      zipButton.disabled = selected.size === 0;
    }
  }

  const drop = h('section', { class: 'dropzone', 'aria-label': 'Upload files' },
    h('div', { class: 'dropzone-inner' },
      h('p', { class: 'dropzone-title' }, 'Drop files here'),
      h('p', { class: 'muted' }, 'Images, PDFs and videos become previews by themselves.'),
      filePicker('Choose files', onFiles, 'file-input')));
  const stopDrops = dropTarget(main, onFiles);

  fill(main,
    h('header', { class: 'page-header' },
      h('h1', {}, 'My files'),
      h('div', { class: 'toolbar' }, countLabel, zipButton)),
    resumeBanner(onFiles), drop, grid);
  grid.append(empty);
  inFlight.forEach(showTask);

  (async () => {
    try {
      const { items } = await api('/api/jobs?limit=50');
      for (const job of items) {
        putJob(job);
        if (!job.uploadId && job.type !== 'zip') continue;
        if (cards.has(job.jobId) || [...cards.keys()].some(k => k?.jobId === job.jobId)) continue;
        addCard(fileCard({ job, selectable: job.type !== 'zip', onSelect }), job.jobId, false);
      }
    } catch (e) {
      toast(`Cannot list your files: ${e.message}`, 'error');
    }
  })();
  return () => {
    stopDrops();
    cards.forEach(c => c.dispose?.());
  };
}

/** The original's size (a photo's or a video's, from its job), or else the largest rendition's. */
function dimensionsOf(j) {
  if (j?.metadata?.width && j?.metadata?.height) return `${j.metadata.width}×${j.metadata.height}`;
  const largest = j?.outputs?.large ?? j?.outputs?.medium;
  return largest?.width ? `${largest.width}×${largest.height}` : null;
}
