// Sign in and create an account.

import { post, session } from './api.js';
import { fill, h } from './dom.js';

export function authPage(root, onSignedIn) {
  let mode = 'signin';
  const error = h('p', { class: 'form-error', role: 'alert', id: 'auth-error' });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true,
    minlength: '3', maxlength: '32', autocapitalize: 'none', spellcheck: 'false' });
  const displayName = h('input', { id: 'displayName', name: 'displayName', autocomplete: 'name', maxlength: '64' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', required: true });
  const submit = h('button', { class: 'button primary wide', type: 'submit', id: 'auth-submit' });
  const nameField = h('div', { class: 'field' }, h('label', { for: 'displayName' }, 'Display name ',
    h('span', { class: 'muted' }, '(optional)')), displayName);
  const switcher = h('button', { type: 'button', class: 'link', id: 'auth-switch', onclick: () => setMode(mode === 'signin' ? 'signup' : 'signin') });
  const title = h('h1', {});
  const form = h('form', { class: 'auth-form', novalidate: true, onsubmit: send, 'aria-labelledby': 'auth-title' },
    title,
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    nameField,
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error, submit, h('p', { class: 'muted center' }, switcher));
  title.id = 'auth-title';

  function setMode(next) {
    mode = next;
    title.textContent = mode === 'signin' ? 'Sign in to Chute' : 'Create your Chute account';
    submit.textContent = mode === 'signin' ? 'Sign in' : 'Create account';
    switcher.textContent = mode === 'signin' ? 'New here? Create an account' : 'Have an account? Sign in';
    nameField.hidden = mode === 'signin';
    password.autocomplete = mode === 'signin' ? 'current-password' : 'new-password';
    error.textContent = '';
  }

  async function send(e) {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      const body = { username: username.value.trim(), password: password.value };
      if (mode === 'signup' && displayName.value.trim()) body.displayName = displayName.value.trim();
      const answer = await post(mode === 'signin' ? '/api/auth/login' : '/api/auth/register', body);
      session.save(answer.token, answer.user);
      onSignedIn(answer.user);
    } catch (err) {
      error.textContent = err.problem?.errors
        ? Object.values(err.problem.errors).flat().join(' ')
        : err.message;
      password.focus();
    } finally {
      submit.disabled = false;
    }
  }

  setMode('signin');
  fill(root, h('main', { class: 'auth' },
    h('div', { class: 'auth-brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', {}, 'Chute')),
    h('p', { class: 'tagline' }, 'Chat and share files that turn into previews by themselves.'),
    form));
  username.focus();
}
