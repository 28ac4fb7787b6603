import { $, api, langToggle, onLang, session, translateStatic, translator, word } from './common.js';

const HOME = { insured: '/ui/report', handler: '/ui/dashboard', supervisor: '/ui/dashboard', ops: '/ui/dashboard', admin: '/ui/dashboard' };

const T = {
  ja: {
    title: 'ログイン',
    intro:
      'APIキーを貼り付けてください。キーはこのブラウザのタブの中だけに保存され、API への要求に付けて送られます。タブを閉じると消去されます。OIDC を設定している場合は、IDプロバイダのアクセストークンも使えます。',
    keyLabel: 'APIキーまたはアクセストークン',
    signIn: 'ログイン',
    devKeys: '開発用のキー: npm start が、プリンシパルのファイルの場所を表示します。',
    continueAs: (me) => `${me.name}（${word('role', me.role)}）として続ける`,
    pasteFirst: 'キーを貼り付けてください。',
    unknownKey: 'このキーは登録されていないか、無効になっています。',
    unreachable: 'サーバーに接続できません。通信環境を確認して、もう一度お試しください。',
    httpStatus: (status) => `サーバーがエラーを返しました（HTTP ${status}）。`,
  },
  en: {
    title: 'Sign in',
    intro:
      'Paste your API key. It is kept in this browser tab only (sessionStorage) and sent with each request to the API; closing the tab forgets it. An OIDC access token from your identity provider works the same way where OIDC is configured.',
    keyLabel: 'API key or access token',
    signIn: 'Sign in',
    devKeys: 'Development keys: npm start prints where its principals file is.',
    continueAs: (me) => `Continue as ${me.name} (${word('role', me.role)})`,
    pasteFirst: 'Paste a key first.',
    unknownKey: 'This key is not known (or has been revoked).',
    unreachable: 'The API cannot be reached. Check the connection and try again.',
    httpStatus: (status) => `The server answered with an error (HTTP ${status}).`,
  },
};
const t = translator(T);

function destination(role) {
  const next = new URLSearchParams(location.search).get('next');
  // Only same-site paths: never send a key holder to another origin.
  if (next && next.startsWith('/ui/') && !next.startsWith('//')) return next;
  return HOME[role] ?? '/docs';
}

const form = $('#login');
const error = $('#login-error');
const me = session.me();
let continueLink;
let lastError = null;
if (session.key() && me) {
  continueLink = document.createElement('a');
  continueLink.href = destination(me.role);
  const p = document.createElement('p');
  p.append(continueLink);
  form.before(p);
}

function draw() {
  translateStatic(t);
  document.title = `${t('title')} · breach-claims`;
  if (continueLink) continueLink.textContent = t('continueAs')(me);
  error.textContent = lastError ? (typeof t(lastError.key) === 'function' ? t(lastError.key)(lastError.arg) : t(lastError.key)) : '';
}

$('#top').append(langToggle());
onLang(draw);
draw();

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const key = $('#key').value.trim();
  lastError = null;
  draw();
  if (!key) {
    lastError = { key: 'pasteFirst' };
    draw();
    $('#key').focus();
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const r = await api('/v1/me', { key, relogin: false });
    if (!r.ok) {
      lastError = r.status === 401 ? { key: 'unknownKey' } : { key: 'httpStatus', arg: r.status };
      draw();
      $('#key').focus();
      return;
    }
    session.set(key, r.data);
    location.assign(destination(r.data.role));
  } catch {
    lastError = { key: 'unreachable' };
    draw();
  } finally {
    button.disabled = false;
  }
});
