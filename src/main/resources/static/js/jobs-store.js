// Every job the page shows, kept current by job.updated events. While the live connection is
// down (or for jobs its events do not cover), watched jobs that are still running are polled.

import { api } from './api.js';
import { live, on } from './socket.js';

const jobs = new Map();
const watchers = new Map();
const everyone = new Set();
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED']);

export const isTerminal = status => TERMINAL.has(status);

export function getJob(id) { return jobs.get(id); }

export function putJob(job) {
  if (!job?.jobId) return;
  const merged = { ...jobs.get(job.jobId), ...job, fetchedAt: Date.now() };
  jobs.set(job.jobId, merged);
  watchers.get(job.jobId)?.forEach(fn => fn(merged));
  everyone.forEach(fn => fn(merged));
}

/** fn(job) on every change of that job; returns the unsubscribe function. */
export function watchJob(id, fn) {
  if (!watchers.has(id)) watchers.set(id, new Set());
  watchers.get(id).add(fn);
  if (jobs.has(id)) fn(jobs.get(id));
  // a job first seen here (e.g. someone else's attachment) is read at once: it may have no events left to send
  else refreshJob(id).catch(() => {});
  schedule();
  return () => {
    watchers.get(id)?.delete(fn);
    if (!watchers.get(id)?.size) watchers.delete(id);
  };
}

export function watchAllJobs(fn) {
  everyone.add(fn);
  return () => everyone.delete(fn);
}

export async function refreshJob(id) {
  const job = await api(`/api/jobs/${encodeURIComponent(id)}`);
  putJob(job);
  return job;
}

on('job.updated', data => putJob(data?.job ?? data));
// events may have been missed (a gap the replay could not cover, or before the first connect)
on('resync', () => Promise.allSettled([...watchers.keys()].filter(id => !isTerminal(jobs.get(id)?.status)).map(refreshJob)));

let timer = null;
let lastSweep = 0;
function schedule() {
  if (timer) return;
  timer = setTimeout(sweep, 1000);
}

async function sweep() {
  timer = null;
  // live events carry every change; then a slow sweep is only a safety net
  const interval = live.open ? 15_000 : 1000;
  const due = Date.now() - lastSweep >= interval;
  const running = [...watchers.keys()].filter(id => !isTerminal(jobs.get(id)?.status));
  if (due && running.length) {
    lastSweep = Date.now();
    await Promise.allSettled(running.map(refreshJob));
  }
  if ([...watchers.keys()].some(id => !isTerminal(jobs.get(id)?.status))) schedule();
}
