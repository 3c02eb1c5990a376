// #/jobs: my jobs by status, live, with cancel and retry. #/admin: queues, workers and the
// failed set, for admins.

import { api, post } from './api.js';
import { fill, formatBytes, formatTime, h, toast } from './dom.js';
import { getJob, putJob, watchAllJobs } from './jobs-store.js';

const STATUSES = ['PENDING', 'PROCESSING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'];

function badge(status) {
  return h('span', { class: `badge ${status?.toLowerCase()}` }, status ?? '');
}

function progressCell(job) {
  const percent = job.status === 'COMPLETED' ? 100 : job.progress ?? 0;
  return h('div', { class: `progress slim${job.status === 'COMPLETED' ? ' done' : ''}`, role: 'progressbar',
    'aria-label': `Progress of ${job.fileName ?? job.type}`, 'aria-valuemin': '0', 'aria-valuemax': '100',
    'aria-valuenow': String(percent) }, h('div', { class: 'progress-bar', style: `width:${percent}%` }));
}

/** A job keeps its last error after a retry; it only matters while the job is failed or waiting to retry. */
const shownError = job => job.error && ['FAILED', 'REJECTED', 'RETRYING'].includes(job.status);

/** A job action (retry, cancel) whose answer is the job as it is now; a refusal says why. */
export async function act(path, what) {
  try {
    putJob(await post(path));
  } catch (e) {
    toast(`${what} refused: ${e.message}`, 'error');
  }
}

/** A table of jobs; rows(job) of extra cells; returns {table, upsert(job), clear()}. */
function jobTable({ caption, columns, cells, rowActions }) {
  const body = h('tbody');
  const rows = new Map();
  const table = h('table', { class: 'table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col' }, c)),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))), body);
  function render(job) {
    const row = h('tr', { dataset: { jobId: job.jobId, status: job.status } },
      cells(job).map((c, i) => h('td', { 'data-label': columns[i] }, c)),
      h('td', { class: 'actions', 'data-label': 'Actions' }, rowActions(job)));
    return row;
  }
  return {
    table,
    upsert(job, append = true) {
      const next = render(job);
      const old = rows.get(job.jobId);
      rows.set(job.jobId, next);
      if (old) old.replaceWith(next);
      else append ? body.append(next) : body.prepend(next);
    },
    has: id => rows.has(id),
    /** The createdAt of the newest job shown ('' when none). */
    get newest() {
      let newest = '';
      rows.forEach((row, id) => { const at = getJob(id)?.createdAt ?? ''; if (at > newest) newest = at; });
      return newest;
    },
    clear() { rows.clear(); body.replaceChildren(); },
    get size() { return rows.size; },
  };
}

export function jobsPage(main) {
  let status = new URLSearchParams(location.hash.split('?')[1] ?? '').get('status') ?? '';
  let cursor = null;
  const list = jobTable({
    caption: 'My jobs',
    columns: ['File', 'Type', 'Status', 'Progress', 'Created', 'Details'],
    cells: job => [
      h('span', { class: 'file-name', text: job.fileName ?? job.jobId }),
      job.type, badge(job.status), progressCell(job), formatTime(job.createdAt),
      shownError(job)
        ? h('span', { class: 'error-text', text: job.error })
        : h('span', { class: 'muted', text: job.fileSize ? formatBytes(job.fileSize) : '' }),
    ],
    rowActions: job => [
      ['FAILED', 'CANCELLED'].includes(job.status)
        && h('button', { class: 'button small', onclick: () => act(`/api/jobs/${job.jobId}/retry`, 'Retry'),
          'aria-label': `Retry ${job.fileName ?? job.type}` }, 'Retry'),
      ['PENDING', 'RETRYING', 'PROCESSING'].includes(job.status)
        && h('button', { class: 'button small ghost', onclick: () => act(`/api/jobs/${job.jobId}/cancel`, 'Cancel'),
          'aria-label': `Cancel ${job.fileName ?? job.type}` }, 'Cancel'),
    ],
  });
  const more = h('button', { class: 'button ghost', hidden: true, onclick: () => load(false) }, 'Load more');
  const empty = h('p', { class: 'empty', hidden: true, text: 'No jobs here.' });
  const filters = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Filter by status' });

  function renderFilters() {
    fill(filters, ['', ...STATUSES].map(s => h('button', {
      class: 'segment', 'aria-pressed': String(s === status),
      onclick: () => { status = s; renderFilters(); load(true); },
    }, s ? s[0] + s.slice(1).toLowerCase() : 'All')));
  }

  async function load(reset) {
    if (reset) { list.clear(); cursor = null; }
    const query = new URLSearchParams({ limit: '25' });
    if (status) query.set('status', status);
    if (cursor) query.set('cursor', cursor);
    try {
      const page = await api(`/api/jobs?${query}`);
      page.items.forEach(job => { putJob(job); list.upsert(job); });
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = list.size > 0;
    } catch (e) {
      toast(`Cannot list jobs: ${e.message}`, 'error');
    }
  }

  // newest first: a job new to the list goes on top only if it is newer than the first one shown;
  // an older one (an update to a job of a page not loaded yet) comes with its page, in its place
  const stop = watchAllJobs(job => {
    if (list.has(job.jobId)) {
      list.upsert(job);
    } else if ((!status || job.status === status) && !(String(job.createdAt ?? '') < list.newest)) {
      list.upsert(job, false);
      empty.hidden = true;
    }
  });
  renderFilters();
  fill(main, h('header', { class: 'page-header' }, h('h1', {}, 'My jobs')), filters,
    h('div', { class: 'table-wrap' }, list.table), empty, more);
  load(true);
  return stop;
}

/** The queue table's counts and their labels (the phone layout shows them beside each value). */
const QUEUE_COLUMNS = { pending: 'Pending', processing: 'Processing', retrying: 'Retrying', failed: 'Failed',
  completedLastHour: 'Done (1 h)' };

export function adminPage(main) {
  const queues = h('tbody');
  const transport = h('span', { class: 'muted' });
  const failed = jobTable({
    caption: 'Failed jobs',
    columns: ['File', 'Type', 'Failed', 'Attempts', 'Error'],
    cells: job => [
      h('span', { class: 'file-name', text: job.fileName ?? job.jobId }), job.type, formatTime(job.failedAt),
      `${job.attempts}/${job.maxAttempts}`, h('span', { class: 'error-text', text: job.error ?? '' }),
    ],
    rowActions: job => job.status === 'FAILED'
      ? h('button', { class: 'button small', 'aria-label': `Retry ${job.fileName ?? job.type}`,
        onclick: () => retry(job) }, 'Retry')
      : badge(job.status),
  });
  const noFailures = h('p', { class: 'empty', hidden: true, text: 'No failed jobs.' });

  async function retry(job) {
    try {
      failed.upsert(await post(`/api/admin/jobs/${job.jobId}/retry`));
      loadQueues();
    } catch (e) {
      toast(`Retry refused: ${e.message}`, 'error');
    }
  }

  async function loadQueues() {
    try {
      const answer = await api('/api/admin/queues');
      transport.textContent = answer.transport ? `Queue: ${answer.transport}` : '';
      fill(queues, answer.queues.map(q => h('tr', { dataset: { type: q.type } },
        h('th', { scope: 'row' }, q.type),
        Object.entries(QUEUE_COLUMNS).map(([k, label]) =>
          h('td', { 'data-label': label, class: k === 'failed' && q.failed ? 'error-text num' : 'num' }, String(q[k]))),
        h('td', { 'data-label': 'Workers', class: 'num' }, `${q.workers} / ${q.concurrency}`),
        h('td', { 'data-label': 'Top owners', class: 'top-owners' }, topOwners(q.topOwners ?? [])))));
      if (!answer.queues.length) fill(queues, h('tr', {}, h('td', { colspan: '8', class: 'muted' }, 'No jobs yet.')));
    } catch (e) {
      toast(`Cannot read the queues: ${e.message}`, 'error');
    }
  }

  /** The owners with the biggest backlog of a type: "alice 120 waiting, 2 running". */
  function topOwners(owners) {
    if (!owners.length) return h('span', { class: 'muted', text: '-' });
    return h('ul', { class: 'owner-list' }, owners.map(o => h('li', { dataset: { owner: o.ownerId } },
      h('span', { text: o.username }), ` ${o.waiting} waiting, ${o.running} running`)));
  }

  async function loadFailed() {
    try {
      const page = await api('/api/admin/jobs?status=FAILED&limit=50');
      failed.clear();
      page.items.forEach(job => failed.upsert(job));
      noFailures.hidden = failed.size > 0;
    } catch (e) {
      toast(`Cannot list failed jobs: ${e.message}`, 'error');
    }
  }

  fill(main,
    h('header', { class: 'page-header' }, h('h1', {}, 'Admin'),
      h('div', { class: 'toolbar' }, transport,
        h('button', { class: 'button ghost', onclick: () => { loadQueues(); loadFailed(); } }, 'Refresh'))),
    h('section', { 'aria-labelledby': 'queues-title', class: 'panel' },
      h('h2', { id: 'queues-title' }, 'Queues'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'queues' },
        h('thead', {}, h('tr', {}, ['Type', 'Pending', 'Processing', 'Retrying', 'Failed', 'Done (1 h)', 'Workers',
          'Top owners']
          .map(c => h('th', { scope: 'col' }, c)))), queues))),
    h('section', { 'aria-labelledby': 'failed-title', class: 'panel' },
      h('h2', { id: 'failed-title' }, 'Failed jobs'),
      h('div', { class: 'table-wrap', id: 'failed-jobs' }, failed.table), noFailures));
  loadQueues();
  loadFailed();
  const timer = setInterval(loadQueues, 5000);
  return () => clearInterval(timer);
}
