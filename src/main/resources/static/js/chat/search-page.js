// Search: one box over messages, file names and documents' text in the caller's channels, newest
// first; a result opens its message in its channel.

import { api } from '../api.js';
import { fill, formatTime, h } from '../dom.js';
import { channels, channelTitle } from './store.js';

/** A snippet with its matches (between « and ») marked, built as text nodes and <mark>s. */
function snippet(text) {
  return h('p', { class: 'snippet' }, String(text ?? '').split(/(«[^»]*»)/).filter(Boolean).map(part =>
    part.startsWith('«') && part.endsWith('»') ? h('mark', { text: part.slice(1, -1) }) : part));
}

export function searchPage(main, query) {
  const input = h('input', { id: 'search-query', type: 'search', 'aria-label': 'Search messages and files', value: query ?? '',
    placeholder: 'Words, "a phrase", -without' });
  const results = h('ol', { class: 'search-results', 'aria-label': 'Results' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const more = h('button', { class: 'button small', id: 'search-more', hidden: true, onclick: () => run(false) }, 'More results');
  let cursor = null;

  async function run(fresh = true) {
    const q = input.value.trim();
    if (!q) return;
    if (fresh) { cursor = null; fill(results); }
    status.textContent = 'Searching…';
    try {
      const params = new URLSearchParams({ q, limit: '20' });
      if (cursor) params.set('before', cursor);
      const page = await api(`/api/search?${params}`);
      results.append(...page.items.map(r => {
        const channel = channels.get(r.channelId);
        return h('li', {}, h('a', { class: 'search-result', href: `#/c/${r.channelId}/m/${r.messageId}`, dataset: { kind: r.kind } },
          h('span', { class: 'result-where' }, channel ? channelTitle(channel) : 'Channel', ' · ',
            h('time', { datetime: r.createdAt, text: formatTime(r.createdAt) }),
            r.fileName ? h('span', { class: 'result-file', text: ` · ${r.fileName}` }) : null),
          snippet(r.snippet)));
      }));
      cursor = page.nextCursor ?? null;
      more.hidden = !cursor;
      status.textContent = results.children.length ? '' : 'Nothing found.';
    } catch (e) {
      status.textContent = `Search failed: ${e.message}`;
    }
  }

  fill(main, h('div', { class: 'page search-page' }, h('h1', {}, 'Search'),
    h('form', { role: 'search', class: 'toolbar', onsubmit: e => {
      e.preventDefault();
      history.replaceState(null, '', `#/search?q=${encodeURIComponent(input.value.trim())}`);
      run();
    } }, input, h('button', { class: 'button primary', type: 'submit' }, 'Search')),
    status, results, more));
  input.focus();
  if (query) run();
  return null;
}
