// DOM building without HTML parsing: every piece of data becomes a text node or an attribute
// value, so message text and file names are never interpreted as markup.

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': 'Send'}, 'Send', child, ...)
 * Attribute keys starting with "on" add listeners; `text` sets textContent; false/null skip.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'hidden') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

let toastId = 0;
/** A short message in the live region; errors stay until dismissed. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const id = `toast-${++toastId}`;
  const close = h('button', { class: 'icon-button', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×');
  const item = h('div', { class: `toast ${kind}`, id }, h('span', { text: message }), close);
  box.append(item);
  if (kind !== 'error') setTimeout(() => item.remove(), 4000);
}

export function initials(name) {
  return (name ?? '?').split(/[\s._-]+/).filter(Boolean).slice(0, 2).map(p => p[0].toUpperCase()).join('') || '?';
}

/** A stable hue per id, for avatars. */
export function hue(id) {
  let x = 0;
  for (const c of String(id)) x = (x * 31 + c.charCodeAt(0)) % 360;
  return x;
}

export function avatar(user, size = 'md') {
  const name = user?.displayName ?? user?.username ?? '?';
  return h('span', { class: `avatar ${size}`, style: `--hue:${hue(user?.id ?? name)}`, 'aria-hidden': 'true' }, initials(name));
}
