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
    ssoTitle: 'シングルサインオン',
    ssoIntro: '会社のIDプロバイダのアカウントでログインします。ロールと被保険者IDは、IDプロバイダの情報から決まります。',
    ssoSignIn: 'シングルサインオンでログイン',
    ssoFinishing: 'シングルサインオンを完了しています…',
    ssoFailed: {
      transaction: 'シングルサインオンを完了できませんでした。このブラウザで開始したサインインがないか、期限切れまたは使用済みです。もう一度お試しください。',
      state: 'シングルサインオンを完了できませんでした。応答がこのブラウザで開始したサインインのものではありません。もう一度お試しください。',
      provider: 'IDプロバイダがサインインを拒否しました。',
      exchange: 'IDプロバイダの応答を検証できませんでした。もう一度お試しください。',
      no_role: 'IDプロバイダの情報に、このサービスのロール（被保険者の場合は被保険者ID）がありません。管理者にお問い合わせください。',
      handoff: 'シングルサインオンのセッションを受け取れませんでした。もう一度お試しください。',
      other: 'シングルサインオンを完了できませんでした。もう一度お試しください。',
    },
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
    ssoTitle: 'Single sign-on',
    ssoIntro: 'Sign in with your organisation’s identity provider account. Your role and insured id come from the provider.',
    ssoSignIn: 'Sign in with SSO',
    ssoFinishing: 'Finishing single sign-on…',
    ssoFailed: {
      transaction: 'Single sign-on could not be completed: no sign-in was started in this browser, or it expired or was already used. Please try again.',
      state: 'Single sign-on could not be completed: the answer does not belong to the sign-in this browser started. Please try again.',
      provider: 'The identity provider refused the sign-in.',
      exchange: 'The identity provider’s answer could not be verified. Please try again.',
      no_role: 'The identity provider names no role of this service for you (or an insured without its insured id). Ask your administrator.',
      handoff: 'The single sign-on session could not be taken. Please try again.',
      other: 'Single sign-on could not be completed. Please try again.',
    },
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
const ssoBox = $('#sso');
const ssoLink = $('#sso-login');
const ssoError = $('#sso-error');
const query = new URLSearchParams(location.search);
let ssoProblem = query.get('sso_error');
let ssoBusy = query.get('sso') === 'done';
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
  const failed = t('ssoFailed');
  ssoError.textContent = ssoBusy ? t('ssoFinishing') : ssoProblem ? (failed[ssoProblem] ?? failed.other) : '';
}

// Single sign-on, where the API offers it: the API runs the code flow with PKCE; this page only starts it and, on the
// way back, takes the session (a bearer token kept in this tab like a pasted key) once.
async function offerSso() {
  try {
    const r = await api('/v1/auth/sso', { relogin: false });
    if (!r.ok || !r.data?.enabled) return;
    const next = query.get('next');
    ssoLink.href = `/v1/auth/sso/login${next && next.startsWith('/ui/') && !next.startsWith('//') ? `?next=${encodeURIComponent(next)}` : ''}`;
    ssoBox.hidden = false;
  } catch {
    // The key form still works; nothing to show.
  }
}

async function finishSso() {
  try {
    const r = await api('/v1/auth/sso/session', { method: 'POST', relogin: false });
    if (!r.ok) {
      ssoBusy = false;
      ssoProblem = r.problem?.code === 'sso_failed' ? 'handoff' : 'other';
      draw();
      return;
    }
    session.set(r.data.token, r.data.me);
    location.replace(destination(r.data.me.role));
  } catch {
    ssoBusy = false;
    lastError = { key: 'unreachable' };
    draw();
  }
}

$('#top').append(langToggle());
onLang(draw);
draw();
void offerSso();
if (ssoBusy) void finishSso();

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
