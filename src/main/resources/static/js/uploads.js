// Uploads straight to storage: one signed PUT, or above the multipart threshold signed parts
// sent three at a time with retries, completed with their ETags. A multipart upload's id is kept
// in localStorage so that picking the same file again after a reload resumes it.
//
// Every PUT declares the SHA-256 of the bytes it sends, so storage refuses bytes damaged on the
// way: a single PUT declares the whole file's digest when it is signed, each part of a multipart
// upload its own digest when that part is signed (a part's digest is computed just before it is
// sent, while the other parts are on their way). Files are hashed a slice at a time and never
// held in memory whole; Web Crypto has no incremental digest, hence @noble/hashes.

import { ApiError, api, post, problemFromText } from './api.js';
import { formatBytes } from './dom.js';
import { putJob, refreshJob } from './jobs-store.js';
import { sha256 } from './vendor/noble-hashes/sha2.js';
import { bytesToHex } from './vendor/noble-hashes/utils.js';

const SAVED = 'chute.uploads';
const PARALLEL_PARTS = 3;
const PART_ATTEMPTS = 4;
const HASH_SLICE = 8 * 1024 * 1024;

/** Every upload of this page that has not ended, so that signing out can abort them. */
const active = new Set();
const RUNNING = ['signing', 'uploading', 'completing'];

/** True while some file is on its way: leaving the page now would lose it. */
export function uploadsRunning() {
  return [...active].some(t => RUNNING.includes(t.state));
}

/** Signing out: aborts every upload in flight (with the token that started it) and forgets interrupted ones. */
export async function abortAllUploads() {
  const running = [...active].filter(t => RUNNING.includes(t.state) || (t.state === 'error' && t.phase === 'upload'));
  const interrupted = savedUploads().filter(s => !running.some(t => t.uploadId === s.uploadId));
  await Promise.all([...running.map(t => t.cancel()),
    ...interrupted.map(s => api(`/api/uploads/${s.uploadId}`, { method: 'DELETE' }).catch(() => {}))]);
  active.clear();
  localStorage.removeItem(SAVED);
  limits = null;
}

window.addEventListener('beforeunload', e => {
  if (!uploadsRunning()) return;
  e.preventDefault();
  e.returnValue = ''; // older browsers show the warning only when this is set
});

let limits = null;

/** What the server accepts (GET /api/config), asked once per sign-in. */
function uploadLimits() {
  limits ??= api('/api/config').then(c => c.uploads).catch(e => { limits = null; throw e; });
  return limits;
}

/** The SHA-256 (hex) of a Blob, read HASH_SLICE bytes at a time. */
export async function sha256Of(blob) {
  const hash = sha256.create();
  for (let at = 0; at < blob.size; at += HASH_SLICE) {
    hash.update(new Uint8Array(await blob.slice(at, at + HASH_SLICE).arrayBuffer()));
  }
  return bytesToHex(hash.digest());
}

/** Storage refused a PUT because its bytes are not those whose digest was declared: they were damaged on the way. */
function digestRefused(status, text) {
  if (status !== 400) return false;
  try {
    if (String(JSON.parse(text)?.type ?? '').endsWith('/digest-mismatch')) return true;
  } catch { /* S3 answers XML */ }
  return /<Code>\s*BadDigest\s*<\/Code>/.test(text);
}

function matches(pattern, type) {
  const [pt, ps] = pattern.split(';')[0].trim().toLowerCase().split('/');
  const [tt, ts] = type.split(';')[0].trim().toLowerCase().split('/');
  return (pt === '*' || pt === tt) && (ps === '*' || ps === ts);
}

/** Why the server would refuse this file before any byte is sent (an ApiError), or null. */
async function refusalOf(file) {
  if (file.size === 0) return new ApiError(400, { detail: 'the file is empty' });
  const { maxSize, allowedTypes, deniedTypes } = await uploadLimits();
  if (file.size > maxSize) return new ApiError(413, { detail: `larger than the limit of ${formatBytes(maxSize)}` });
  const type = file.type || 'application/octet-stream';
  if (!allowedTypes.some(p => matches(p, type)) || deniedTypes.some(p => matches(p, type))) {
    return new ApiError(415, { detail: `files of type ${type} are not accepted` });
  }
  return null;
}

function readSaved() {
  try { return JSON.parse(localStorage.getItem(SAVED)) ?? {}; } catch { return {}; }
}

function writeSaved(saved) {
  localStorage.setItem(SAVED, JSON.stringify(saved));
}

/** Multipart uploads interrupted by a reload: [{uploadId, fileName, size, lastModified, channelId}]. */
export function savedUploads() {
  return Object.values(readSaved());
}

export function forgetUpload(uploadId) {
  const saved = readSaved();
  delete saved[uploadId];
  writeSaved(saved);
}

function remember(task) {
  const saved = readSaved();
  saved[task.uploadId] = {
    uploadId: task.uploadId, fileName: task.file.name, size: task.file.size,
    lastModified: task.file.lastModified, channelId: task.channelId ?? null, savedAt: new Date().toISOString(),
  };
  writeSaved(saved);
}

/** The interrupted upload this file continues, if any (same name, size and modification time). */
export function savedUploadFor(file) {
  return savedUploads().find(s => s.fileName === file.name && s.size === file.size && s.lastModified === file.lastModified);
}

/**
 * One file on its way: fires 'change' whenever state, loaded bytes or error change.
 * States: signing, uploading, completing, processing (job accepted), error, cancelled.
 */
export class UploadTask extends EventTarget {
  constructor(file, { channelId = null, resumeId = null } = {}) {
    super();
    this.file = file;
    this.channelId = channelId;
    this.uploadId = resumeId;
    this.total = file.size;
    this.loaded = 0;
    this.state = 'signing';
    this.error = null;
    this.jobId = null;
    this.phase = 'upload';
    this.requests = new Set();
    this.doneParts = new Map();
    active.add(this);
    this.addEventListener('change', () => {
      if (['processing', 'cancelled'].includes(this.state) || this.refused) active.delete(this);
    });
  }

  changed() { this.dispatchEvent(new Event('change')); }

  async start() {
    this.state = 'signing';
    this.error = null;
    this.changed();
    try {
      if (this.phase === 'upload') {
        const refusal = this.uploadId ? null : await refusalOf(this.file);
        if (refusal) {
          this.refused = true;
          throw refusal;
        }
        const parts = await this.send();
        this.phase = 'complete';
        await this.complete(parts);
      } else {
        await this.complete(this.completeParts);
      }
    } catch (e) {
      if (this.state === 'cancelled') return;
      this.state = 'error';
      this.error = e instanceof ApiError ? e : new ApiError(0, { detail: e?.message ?? String(e) });
      this.changed();
    }
  }

  async send() {
    if (this.uploadId) {
      const upload = await api(`/api/uploads/${this.uploadId}`);
      if (upload.state === 'COMPLETE' && upload.jobId) {
        this.loaded = this.total;
        return null;
      }
      return this.sendParts(upload.multipart, true);
    }
    // a single PUT is signed for the whole file's digest, so the file is read once before it is sent;
    // a multipart upload is signed first and each part declares its own digest when it is sent
    const { multipartThreshold } = await uploadLimits();
    const digest = this.file.size > multipartThreshold ? null : await sha256Of(this.file);
    if (this.state === 'cancelled') throw new ApiError(0, { detail: 'Cancelled' });
    const signed = await post('/api/uploads', {
      fileName: this.file.name,
      size: this.file.size,
      contentType: this.file.type || 'application/octet-stream',
      ...(this.channelId ? { channelId: this.channelId } : {}),
      ...(digest ? { sha256: digest } : {}),
    }).catch(e => {
      // the file itself was refused (its name, size or type): trying again cannot help
      if ([400, 413, 415, 422].includes(e.status)) this.refused = true;
      throw e;
    });
    this.uploadId = signed.uploadId;
    if (signed.multipart) {
      remember(this);
      return this.sendParts(signed.multipart, false);
    }
    this.state = 'uploading';
    this.changed();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.put(signed.url, signed.headers, this.file, loaded => this.progress(loaded));
        return null;
      } catch (e) {
        // storage stored nothing and the URL stays good for the declared bytes: send them again
        if (!e.damaged || this.state !== 'uploading' || attempt >= PART_ATTEMPTS) throw e;
        this.progress(0);
      }
    }
  }

  async sendParts({ partSize, partCount }, resuming) {
    const sizeOf = n => (n < partCount ? partSize : this.total - partSize * (partCount - 1));
    if (resuming) {
      const { parts } = await api(`/api/uploads/${this.uploadId}/parts`);
      for (const p of parts) {
        if (p.size === sizeOf(p.partNumber)) this.doneParts.set(p.partNumber, p.etag);
      }
    }
    const inFlight = new Map();
    const update = () => {
      let loaded = 0;
      for (const n of this.doneParts.keys()) loaded += sizeOf(n);
      for (const v of inFlight.values()) loaded += v;
      this.progress(loaded);
    };
    this.state = 'uploading';
    update();
    const queue = [];
    for (let n = 1; n <= partCount; n++) if (!this.doneParts.has(n)) queue.push(n);
    const worker = async () => {
      while (queue.length && this.state === 'uploading') {
        const n = queue.shift();
        const blob = this.file.slice(partSize * (n - 1), partSize * (n - 1) + sizeOf(n));
        this.doneParts.set(n, await this.sendPart(n, blob, loaded => { inFlight.set(n, loaded); update(); }));
        inFlight.delete(n);
        update();
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, queue.length) }, worker));
    return [...this.doneParts].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
  }

  async sendPart(partNumber, blob, onProgress) {
    for (let attempt = 1; ; attempt++) {
      try {
        // hashed (again, on a retry: the bytes are read anew) and signed just before sending: part
        // URLs are short-lived and signing keeps the upload alive
        const digest = await sha256Of(blob);
        const { parts: [signed] } = await post(`/api/uploads/${this.uploadId}/parts`,
          { partNumbers: [partNumber], sha256: { [partNumber]: digest } });
        const xhr = await this.put(signed.url, signed.headers, blob, onProgress);
        const etag = xhr.getResponseHeader('ETag');
        if (!etag) throw new ApiError(0, { detail: 'Storage did not expose the part ETag (check its CORS rules)' });
        return etag;
      } catch (e) {
        onProgress(0);
        const permanent = e.status >= 400 && e.status < 500 && ![403, 408, 429].includes(e.status) && !e.damaged;
        if (this.state !== 'uploading' || permanent || attempt >= PART_ATTEMPTS) throw e;
        await new Promise(r => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  }

  put(url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.requests.add(xhr);
      xhr.open('PUT', url);
      for (const [name, value] of Object.entries(headers ?? {})) {
        // the browser sets these itself and refuses scripts that try
        if (!['content-length', 'host'].includes(name.toLowerCase())) xhr.setRequestHeader(name, value);
      }
      xhr.upload.onprogress = e => onProgress(e.loaded);
      xhr.onload = () => {
        this.requests.delete(xhr);
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(body.size);
          resolve(xhr);
        } else {
          const error = problemFromText(xhr.status, xhr.responseText);
          error.damaged = digestRefused(xhr.status, xhr.responseText);
          reject(error);
        }
      };
      xhr.onerror = () => {
        this.requests.delete(xhr);
        reject(new ApiError(0, { detail: 'The connection to storage failed' }));
      };
      xhr.onabort = () => {
        this.requests.delete(xhr);
        reject(new ApiError(0, { detail: 'Cancelled' }));
      };
      xhr.send(body);
    });
  }

  progress(loaded) {
    this.loaded = Math.min(loaded, this.total);
    this.changed();
  }

  async complete(parts) {
    this.completeParts = parts;
    this.state = 'completing';
    this.changed();
    let accepted;
    try {
      accepted = await post(`/api/uploads/${this.uploadId}/complete`, parts ? { parts } : {});
    } catch (e) {
      // refused for good (wrong type, too large …): storage has deleted it, nothing to resume
      if (e.status >= 400 && e.status < 500) {
        forgetUpload(this.uploadId);
        this.refused = true;
      }
      throw e;
    }
    forgetUpload(this.uploadId);
    this.jobId = accepted.jobId;
    this.loaded = this.total;
    this.state = 'processing';
    putJob({ jobId: accepted.jobId, uploadId: this.uploadId, status: accepted.status, progress: 0,
      fileName: this.file.name, fileSize: this.file.size, outputs: {} });
    this.changed();
    refreshJob(accepted.jobId).catch(() => {});
  }

  /** Try again after an error: resumes a multipart upload from the parts storage holds. */
  retry() {
    if (this.refused) return;
    this.start();
  }

  async cancel() {
    this.state = 'cancelled';
    this.requests.forEach(xhr => xhr.abort());
    this.changed();
    if (this.uploadId && this.phase === 'upload') {
      forgetUpload(this.uploadId);
      await api(`/api/uploads/${this.uploadId}`, { method: 'DELETE' }).catch(() => {});
    }
  }
}

/** Starts an upload for every file, resuming interrupted ones of the same file. */
export function uploadFiles(files, { channelId = null } = {}) {
  return [...files].map(file => {
    const saved = savedUploadFor(file);
    const task = new UploadTask(file, { channelId: channelId ?? saved?.channelId ?? null, resumeId: saved?.uploadId });
    task.start();
    return task;
  });
}
