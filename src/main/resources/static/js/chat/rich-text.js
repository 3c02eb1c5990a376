// A message's text as DOM nodes: http(s) links made clickable and @mentions of members marked,
// built with DOM APIs only (never innerHTML), so message text is never interpreted as markup.

import { h } from '../dom.js';

// why: a URL's end is hard to tell from the sentence around it; trailing punctuation is left out
const TOKEN = /(https?:\/\/[^\s<>"']+)|(@[A-Za-z0-9_.-]{3,32})/g;

/** A link, only for http and https URLs; anything else stays text. */
function link(raw) {
  const trimmed = raw.replace(/[.,;:!?)\]}]+$/, '');
  let url;
  try { url = new URL(trimmed); } catch { return [raw]; }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [raw];
  return [h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', text: trimmed }), raw.slice(trimmed.length)];
}

/**
 * The nodes of `content`; `mentioned(name)` answers whether @name is a resolved mention, and
 * whether it is the viewer: 'me', true or false.
 */
export function richText(content, mentioned) {
  const nodes = [];
  let last = 0;
  for (const match of content.matchAll(TOKEN)) {
    if (match.index > last) nodes.push(content.slice(last, match.index));
    if (match[1]) {
      nodes.push(...link(match[1]));
    } else {
      const before = match.index > 0 ? content[match.index - 1] : '';
      const name = match[2].slice(1).replace(/[.-]+$/, '');
      const kind = /[\w.@-]/.test(before) ? false : mentioned(name.toLowerCase());
      nodes.push(kind ? h('span', { class: `mention${kind === 'me' ? ' me' : ''}`, text: `@${name}` }) : `@${name}`);
      nodes.push(match[2].slice(1 + name.length));
    }
    last = match.index + match[0].length;
  }
  if (last < content.length) nodes.push(content.slice(last));
  return nodes.filter(n => n !== '');
}
