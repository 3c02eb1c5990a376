// Chute's web client: the shell (sidebar, pages) and a hash router.

import { api, onUnauthorized, session } from './api.js';
import { authPage } from './auth.js';
import * as chat from './chat.js';
import { fill, formatBytes, h, avatar } from './dom.js';
import { filesPage } from './files.js';
import { adminPage, jobsPage } from './jobs.js';
import { connect, disconnect, on } from './socket.js';
import { abortAllUploads } from './uploads.js';

const root = document.getElementById('app');
let leavePage = null;
let shell = null;

function signIn() {
  leavePage?.();
  leavePage = null;
  shell = null;
  disconnect();
  chat.reset();
  authPage(root, () => start());
}

onUnauthorized(() => signIn());

function navLink(href, label, id) {
  return h('a', { href, id, class: 'nav-link' }, label);
}

function buildShell(user) {
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const connection = h('span', { class: 'connection', id: 'connection', role: 'img', title: 'Live updates', 'aria-label': 'Live updates: connecting' });
  const menuButton = h('button', { class: 'icon-button menu-button', 'aria-label': 'Menu', 'aria-expanded': 'false',
    'aria-controls': 'sidebar', onclick: () => toggleMenu() }, h('span', { class: 'burger', 'aria-hidden': 'true' }));
  const channels = h('section', { class: 'channels', 'aria-label': 'Channels', hidden: true });
  const sidebar = h('aside', { class: 'sidebar', id: 'sidebar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', {}, 'Chute')),
    h('nav', { 'aria-label': 'Main' },
      navLink('#/files', 'My files', 'nav-files'),
      navLink('#/jobs', 'My jobs', 'nav-jobs'),
      user.admin && navLink('#/admin', 'Admin', 'nav-admin'),
      navLink('#/search', 'Search', 'nav-search')),
    channels,
    chat.notificationButton(),
    h('div', { class: 'me' }, avatar(user),
      h('div', { class: 'me-name' }, h('strong', { text: user.displayName ?? user.username }),
        h('span', { class: 'muted', text: `@${user.username}` }),
        h('span', { class: 'muted usage', id: 'storage-usage', text: usageText(user) })),
      connection,
      h('button', { class: 'button small ghost', id: 'sign-out', onclick: async () => {
        await abortAllUploads(); // before the token goes: the aborts are the signed-out user's
        session.clear();
        signIn();
      } }, 'Sign out')));
  const topbar = h('header', { class: 'topbar' }, menuButton,
    h('span', { class: 'brand small' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Chute'));
  const scrim = h('div', { class: 'scrim', onclick: () => toggleMenu(false) });
  fill(root, h('div', { class: 'shell' }, topbar, sidebar, scrim, main));

  function toggleMenu(open = !document.body.classList.contains('menu-open')) {
    document.body.classList.toggle('menu-open', open);
    menuButton.setAttribute('aria-expanded', String(open));
    if (open) sidebar.querySelector('a, button')?.focus();
  }
  sidebar.addEventListener('keydown', e => { if (e.key === 'Escape') toggleMenu(false); });
  on('state', state => {
    connection.dataset.state = state;
    connection.setAttribute('aria-label', `Live updates: ${state === 'open' ? 'connected' : state}`);
  });
  return { main, channels, sidebar, closeMenu: () => toggleMenu(false) };
}

/** "1.2 MB in 3 files of 10 MB": what the user's files take, and their quota when there is one. */
function usageText(me) {
  if (!me?.usage) return '';
  const files = `${formatBytes(me.usage.bytes)} in ${me.usage.files} ${me.usage.files === 1 ? 'file' : 'files'}`;
  return me.quota ? `${files} of ${formatBytes(me.quota.bytes)}` : files;
}

/** Uploads and deletions change the usage; it is read again whenever the user moves to another view. */
async function refreshUsage() {
  try {
    const me = await api('/api/me');
    const usage = document.getElementById('storage-usage');
    if (usage) usage.textContent = usageText(me);
  } catch {
    // the usage line keeps its last value; a lost session is handled by onUnauthorized
  }
}

function route() {
  if (!shell) return;
  leavePage?.();
  leavePage = null;
  shell.closeMenu();
  const [path, search] = location.hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  for (const link of shell.sidebar.querySelectorAll('a[href]')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${parts.join('/')}`);
    if (link.hasAttribute('aria-current')) link.setAttribute('aria-current', 'page');
  }
  const user = session.user;
  const main = shell.main;
  if (parts[0] === 'jobs') leavePage = jobsPage(main);
  else if (parts[0] === 'admin' && user?.admin) leavePage = adminPage(main);
  else if (parts[0] === 'c' && parts[1]) leavePage = chat.channelPage(main, parts[1], parts[2] === 'm' ? parts[3] : null);
  else if (parts[0] === 'search' && chat.available()) leavePage = chat.searchPage(main, new URLSearchParams(search ?? '').get('q'));
  else if (parts[0] === 'files' || !chat.available()) leavePage = filesPage(main);
  else leavePage = chat.homePage(main);
  document.title = `${main.querySelector('h1')?.textContent ?? 'Chute'} · Chute`;
  refreshUsage();
  chat.refreshTitle();
  if (document.activeElement === document.body || shell.sidebar.contains(document.activeElement)) main.focus({ preventScroll: true });
}

async function start() {
  if (!session.token) return signIn();
  let user;
  try {
    user = await api('/api/me');
  } catch (e) {
    if (e.status === 401) return; // onUnauthorized has already shown sign-in
    user = session.user;
    if (!user) return signIn();
  }
  session.save(session.token, user);
  shell = buildShell(user);
  connect();
  await chat.start(shell.channels, user);
  route();
}

addEventListener('hashchange', route);
start();
