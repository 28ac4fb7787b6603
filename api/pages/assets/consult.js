// The 24-hour consultation desk for insured companies (POST /v1/consultations): ask for help before knowing whether
// it is an incident; an on-call handler acknowledges within the hour. The insured's own consultations below.
import {
  $,
  $$,
  api,
  countdown,
  el,
  frame,
  fromJstLocal,
  jst,
  onLang,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  startCountdowns,
  table,
  toJstLocal,
  translateStatic,
  translator,
  Unreachable,
  word,
} from './common.js';

const T = {
  ja: {
    title: '事故相談窓口（24時間受付）',
    intro: '事故かどうか分からない段階でもご相談ください。当番の担当者が1時間以内に受け付け、折り返しご連絡します。事故と判明した場合は、ここで申告された「知った」日時から報告期限を計算します。',
    fileIncident: '事故を報告する',
    policyNumber: '保険証券番号',
    awareAt: '事象を知った日時（日本時間・分かれば）',
    awareAtHint: '事故と判明した場合、監督機関への報告期限はこの日時から数えます。',
    summary: 'ご相談の内容',
    contact: '折り返しの連絡先',
    contactName: '氏名',
    contactEmail: 'メールアドレス',
    contactPhone: '電話番号（任意）',
    submit: '相談する',
    submitting: '送信中…',
    openedTitle: '相談を受け付けました',
    opened: (id, due) => `相談番号 ${id} として受け付けました。担当者が ${due} までに受け付けます。`,
    mine: 'これまでのご相談',
    cols: ['相談番号', '状況', '受付日時', '受付期限', '事故'],
    none: 'まだご相談はありません。',
    required: '入力してください。',
    badEmail: 'メールアドレスの形式が正しくありません。',
    future: '未来の日時は指定できません。',
    fixErrors: '入力内容を確認してください。',
    unreachable: 'サーバーに接続できません。通信環境を確認して、もう一度お試しください。',
    unknownPolicy: 'この保険証券番号は登録されていません。番号をご確認ください。',
    acknowledged: '受付済み',
    caseLink: '事故の詳細',
  },
  en: {
    title: '24-hour consultation desk',
    intro: 'Ask us even before you know whether it is an incident. An on-call handler takes your consultation within an hour and calls you back. If it turns out to be an incident, the regulators’ deadlines count from the awareness time you give here.',
    fileIncident: 'File an incident',
    policyNumber: 'Policy number',
    awareAt: 'When you became aware (Japan time, if you know)',
    awareAtHint: 'If it becomes an incident, the regulators’ deadlines count from this time.',
    summary: 'What you would like to ask',
    contact: 'Whom to call back',
    contactName: 'Name',
    contactEmail: 'E-mail address',
    contactPhone: 'Telephone (optional)',
    submit: 'Ask for help',
    submitting: 'Sending…',
    openedTitle: 'Consultation received',
    opened: (id, due) => `Received as consultation ${id}. A handler takes it by ${due}.`,
    mine: 'Your consultations',
    cols: ['Consultation', 'Status', 'Opened', 'Acknowledge by', 'Incident'],
    none: 'No consultations yet.',
    required: 'Required.',
    badEmail: 'Not an e-mail address.',
    future: 'Must not be in the future.',
    fixErrors: 'Please check the fields marked.',
    unreachable: 'The server cannot be reached. Check your connection and try again.',
    unknownPolicy: 'This policy number is not registered. Please check it.',
    acknowledged: 'Acknowledged',
    caseLink: 'Incident details',
  },
};
const t = translator(T);
const me = requireLogin();
frame(me, '/ui/consult');
let listed = [];

function clearErrors() {
  for (const n of $$('.field-error')) n.textContent = '';
  for (const n of $$('[aria-invalid]')) n.removeAttribute('aria-invalid');
  $('#form-problem').textContent = '';
}

function fieldError(path, text) {
  let p = path;
  for (;;) {
    const node = $(`.field-error[data-path="${p}"]`);
    if (node) {
      node.textContent = text;
      const input = node.id ? $(`[aria-describedby~="${node.id}"]`) : null;
      input?.setAttribute('aria-invalid', 'true');
      return;
    }
    if (!p || p === '/') break;
    p = p.slice(0, p.lastIndexOf('/'));
  }
  $('#form-problem').textContent = text;
}

function readForm() {
  const body = {
    policyNumber: $('#policyNumber').value.trim(),
    summary: $('#summary').value.trim(),
    contact: { name: $('#contact-name').value.trim(), email: $('#contact-email').value.trim(), language: document.documentElement.lang === 'en' ? 'en' : 'ja' },
  };
  const phone = $('#contact-phone').value.trim();
  if (phone) body.contact.phone = phone;
  if ($('#awareAt').value) body.awareAt = fromJstLocal($('#awareAt').value);
  return body;
}

function check(body) {
  const errors = [];
  if (!body.policyNumber) errors.push(['/policyNumber', t('required')]);
  if (!body.summary) errors.push(['/summary', t('required')]);
  if (!body.contact.name) errors.push(['/contact/name', t('required')]);
  if (!body.contact.email) errors.push(['/contact/email', t('required')]);
  else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.contact.email)) errors.push(['/contact/email', t('badEmail')]);
  if (body.awareAt && Date.parse(body.awareAt) > Date.now() + 5 * 60_000) errors.push(['/awareAt', t('future')]);
  return errors;
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const body = readForm();
  const errors = check(body);
  if (errors.length) {
    for (const [path, text] of errors) fieldError(path, text);
    return;
  }
  const button = $('#submit-consult');
  button.disabled = true;
  button.textContent = t('submitting');
  try {
    const r = await api('/v1/consultations', { method: 'POST', body });
    if (r.ok) {
      $('#opened').hidden = false;
      replace($('#opened-summary'), t('opened')(r.data.consultationId, jst(r.data.ackDueAt)));
      $('#consult').reset();
      await refresh();
      return;
    }
    const p = r.problem ?? {};
    if (p.code === 'unknown_policy') fieldError('/policyNumber', t('unknownPolicy'));
    else if (Array.isArray(p.errors) && p.errors.length) for (const e of p.errors) fieldError(e.path, e.message);
    else $('#form-problem').textContent = problemText(p);
    if (!$('#form-problem').textContent && p.code === 'validation') $('#form-problem').textContent = t('fixErrors');
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    $('#form-problem').textContent = t('unreachable');
  } finally {
    button.disabled = false;
    button.textContent = t('submit');
  }
}

function drawList() {
  replace(
    $('#my-consultations'),
    table(
      t('cols'),
      listed.map((c) => [
        el('span', { translate: 'no' }, c.consultationId),
        el('span', { class: `badge consultation-${c.status}`, dataset: { code: c.status } }, word('consultation', c.status)),
        jst(c.openedAt),
        c.status === 'open' ? countdown(c.ackDueAt) : c.acknowledgedAt ? `${t('acknowledged')} ${jst(c.acknowledgedAt)}` : '—',
        c.caseId ? el('a', { href: `/ui/cases/${encodeURIComponent(c.caseId)}` }, t('caseLink')) : '—',
      ]),
      { empty: t('none'), stack: true },
    ),
  );
}

async function refresh() {
  try {
    const r = await api('/v1/consultations');
    if (r.ok) listed = r.data.items;
  } catch {
    // Shown again on the next poll.
  }
  drawList();
}

function translate() {
  translateStatic(t);
  drawList();
}

async function init() {
  if (refuseRole(me, ['insured'], () => t('title'))) return;
  $('#awareAt').max = toJstLocal(Date.now() + 5 * 60_000);
  onLang(translate);
  $('#consult').addEventListener('submit', (e) => void submit(e));
  startCountdowns();
  translate();
  await refresh();
  setInterval(() => void refresh(), 5000);
}

void init();
