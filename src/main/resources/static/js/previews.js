// Inline previews beyond images: players for audio and video, and the first page or first lines
// of documents and text. fileCard (files.js) asks here first and falls back to its image.

import { signedDownloadUrl } from './api.js';
import { h } from './dom.js';

/** The image that stands for a finished job on a card: thumbnail, page 1, first lines, poster or waveform. */
export function cardImageOf(job) {
  const o = job?.outputs ?? {};
  return o.thumbnail ?? o.preview ?? o.poster ?? o.waveform ?? null;
}

/** The image the lightbox shows: larger when there is one. */
export function largeImageOf(job) {
  const o = job?.outputs ?? {};
  return o.medium ?? o.preview ?? o.poster ?? o.large ?? o.waveform ?? null;
}

/** The job's type; a chat attachment carries only its detected media type. */
function typeOf(job) {
  if (job?.type) return job.type;
  const media = job?.detectedType ?? '';
  if (media.startsWith('video/')) return 'video';
  if (media.startsWith('audio/')) return 'audio';
  if (media === 'application/pdf') return 'pdf';
  if (media.startsWith('text/')) return 'text';
  return job?.outputs?.preview ? 'office' : null;
}

/** True for the kinds whose lightbox offers "Open" (the document itself) below page 1. */
export function opensAsDocument(job) {
  return ['pdf', 'office', 'text'].includes(typeOf(job));
}

/**
 * An inline player for a finished audio or video job, or null. A video plays its web rendition
 * (`playable`) or, when the original already plays in browsers, the original through a fresh
 * signed URL; its poster shows until it starts.
 */
export function inlinePlayer(job, name) {
  if (job?.status !== 'COMPLETED') return null;
  const o = job.outputs ?? {};
  if (typeOf(job) === 'video' && (o.playable || job.metadata?.playable === 'original')) {
    const video = h('video', { class: 'inline-player', controls: true, preload: 'metadata', playsinline: true,
      poster: o.poster?.url, 'aria-label': `Play ${name}` });
    withSource(video, o.playable, job.uploadId);
    return video;
  }
  if (typeOf(job) === 'audio') {
    const audio = h('audio', { class: 'inline-player', controls: true, preload: 'metadata', 'aria-label': `Play ${name}` });
    withSource(audio, null, job.uploadId);
    return h('div', { class: 'audio-preview' },
      o.waveform ? h('img', { class: 'waveform', src: o.waveform.url, alt: `Waveform of ${name}` }) : null,
      audio);
  }
  return null;
}

function withSource(media, output, uploadId) {
  if (output) {
    media.src = output.url;
  } else if (uploadId) {
    // why: the original is behind /download, whose redirect needs the bearer token a media element cannot send
    signedDownloadUrl(uploadId).then(url => { media.src = url; }).catch(() => media.classList.add('unavailable'));
  }
}
