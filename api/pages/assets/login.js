import { $, api, session } from './common.js';

const HOME = { insured: '/ui/report', handler: '/ui/dashboard', supervisor: '/ui/dashboard', ops: '/ui/dashboard', admin: '/ui/dashboard' };

function destination(role) {
  const next = new URLSearchParams(location.search).get('next');
  // Only same-site paths: never send a key holder to another origin.
  if (next && next.startsWith('/ui/') && !next.startsWith('//')) return next;
  return HOME[role] ?? '/docs';
}

const form = $('#login');
const error = $('#login-error');
const me = session.me();
if (session.key() && me) {
  const p = document.createElement('p');
  const a = document.createElement('a');
  a.href = destination(me.role);
  a.textContent = `Continue as ${me.name} (${me.role})`;
  p.append(a);
  form.before(p);
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const key = $('#key').value.trim();
  error.textContent = '';
  if (!key) {
    error.textContent = 'Paste a key first.';
    $('#key').focus();
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const r = await api('/v1/me', { key, relogin: false });
    if (!r.ok) {
      error.textContent = r.status === 401 ? 'This key is not known (or has been revoked).' : r.problem?.detail ?? `HTTP ${r.status}`;
      $('#key').focus();
      return;
    }
    session.set(key, r.data);
    location.assign(destination(r.data.role));
  } catch (err) {
    error.textContent = `The API cannot be reached: ${err.message}`;
  } finally {
    button.disabled = false;
  }
});
