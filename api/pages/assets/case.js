// Case desk: one case, everything the handler needs to decide, and the contract's eleven actions as forms. A refusal
// (problem+json) is shown beside the form that caused it; a success re-renders the case from the view the API
// answered, without a reload. The page also polls the case (ETag) so vendor and notification progress shows up.
import {
  $,
  $$,
  Unreachable,
  api,
  badge,
  countdown,
  el,
  etagCache,
  frame,
  fromJstLocal,
  jst,
  jstTime,
  num,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  startCountdowns,
  table,
  toJstLocal,
  vocabulary,
  yen,
} from './common.js';

const POLL_MS = Number(new URLSearchParams(location.search).get('poll')) || 5000;
const caseId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const me = requireLogin();
frame(me, location.pathname);
const get = etagCache();
let vocab;
let current;
let lastGood;
let timer;

const label = (list, code) => {
  const hit = list?.find((x) => x.code === code);
  return hit ? `${hit.label} / ${hit.labelJa}` : code;
};
const dl = (pairs) => el('dl', { class: 'facts' }, pairs.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '—')]));

// ---- rendering ---------------------------------------------------------------------------------------------------

function renderSummary(c) {
  $('#case-title').textContent = `Case ${c.caseId}`;
  document.title = `Case ${c.caseId} · breach-claims`;
  replace(
    $('#summary'),
    el('div', { class: 'badges' }, badge('status', c.status), badge('severity', c.severity), c.overdue ? el('span', { class: 'badge late' }, 'overdue') : null),
    dl([
      ['Status', el('span', { dataset: { testid: 'case-status' } }, c.status)],
      ['Assigned to', el('span', { dataset: { testid: 'assigned-to' } }, c.assignedTo ?? 'nobody')],
      ['Policy', c.policyNumber],
      ['Insured', c.insuredId],
      ['Reported', jst(c.reportedAt)],
      ['Discovered', jst(c.discoveredAt)],
      ['Occurred', c.occurredAt ? jst(c.occurredAt) : 'unknown'],
      ['Cause', c.cause],
      ['Affected persons', num(c.affectedPersons)],
      ['Data items', (c.dataItems ?? []).map((d) => label(vocab?.dataItems, d)).join(', ')],
      ['Severity because', (c.severityReasons ?? []).join(', ') || '—'],
      ['Next deadline', c.nextDeadline ? [jst(c.nextDeadline), ' ', countdown(c.nextDeadline)] : '—'],
      ...(c.closeReason ? [['Closed', `${jst(c.closedAt)}: ${c.closeReason}`]] : []),
    ]),
  );
}

function renderCoverage(c) {
  const cov = c.coverage;
  replace(
    $('#coverage'),
    el('p', {}, badge('decision', cov.decision), cov.override ? ` (override by ${cov.override.by}: ${cov.override.reason})` : ''),
    cov.reasons.length ? el('h3', {}, 'Reasons') : null,
    cov.reasons.length ? el('ul', {}, cov.reasons.map((r) => el('li', {}, el('code', {}, r)))) : el('p', { class: 'muted' }, 'No exclusion applies.'),
    cov.explanations?.length ? [el('h3', {}, 'Explanation'), el('ul', {}, cov.explanations.map((e) => el('li', {}, e)))] : null,
    cov.facts?.length ? [el('h3', {}, 'Facts'), el('ul', { class: 'small' }, cov.facts.map((e) => el('li', {}, e)))] : null,
    cov.computed && cov.override ? el('p', { class: 'muted small' }, `Computed decision: ${cov.computed.decision} (${cov.computed.reasons.join(', ') || 'no reasons'})`) : null,
  );
}

// The insurer's internal figures: an insured's view of its case has neither (the API's role matrix), so the card is
// left out rather than shown empty.
function renderExposure(c) {
  const e = c.exposure;
  const r = c.reserve;
  const card = $('#exposure').closest('section');
  if (card) card.hidden = !e && !r;
  const f = e?.factors;
  replace(
    $('#exposure'),
    e ? el('p', { class: 'sum' }, `${yen(e.perPersonJpy)} per person × ${num(e.persons)} persons = `, el('strong', {}, yen(e.totalJpy))) : null,
    f
      ? el(
          'p',
          { class: 'small muted' },
          `JNSA factors: EP cell x=${f.x}, y=${f.y}; identifiability ${f.identifiability}; social responsibility ${f.socialResponsibility}; response quality ${f.responseQuality}.`,
        )
      : null,
    r ? el('h3', {}, `Reserve ${yen(r.totalJpy)}`) : null,
    r
      ? table(
          ['Category', 'Reserve'],
          Object.entries(r.byCategory ?? {}).map(([k, v]) => [label(vocab?.costCategories, k), el('span', { class: 'num' }, yen(v))]),
          { empty: 'No reserve set.' },
        )
      : null,
  );
}

function renderObligations(c) {
  replace(
    $('#obligations'),
    table(
      ['Regime', 'Audience', 'Kind', 'Due (JST)', 'Clock', 'Status', 'Triggers', 'Filed / reason'],
      c.obligations.map((o) => [
        o.regime,
        o.audience,
        o.kind,
        jst(o.dueAt),
        o.status === 'pending' || o.status === 'overdue' ? countdown(o.dueAt) : '—',
        badge('obligation', o.status),
        o.triggers.join(', ') || '—',
        [
          o.filedAt ? `${jst(o.filedAt)}${o.reference ? ` · ${o.reference}` : ''}` : o.notRequiredReason ?? '—',
          o.explanation ? el('details', { class: 'small' }, el('summary', {}, 'Why'), o.explanation) : null,
        ],
      ]),
      { empty: 'No notification obligation.' },
    ),
  );
}

function renderVendors(c) {
  replace(
    $('#vendors'),
    table(
      ['Vendor', 'Role', 'Dispatched', 'Acknowledge by', 'Status', 'SLA', 'Invoiced'],
      c.vendors.map((v) => [
        v.vendorId,
        v.role,
        jst(v.dispatchedAt),
        v.status === 'dispatched' ? [jst(v.ackDueAt), ' ', countdown(v.ackDueAt)] : jst(v.ackDueAt),
        badge('vendor', v.status),
        v.slaBreached ? el('strong', { class: 'late' }, 'breached') : 'met',
        yen(v.invoicedJpy),
      ]),
      { empty: 'No vendor engaged yet.' },
    ),
    c.counselAdvice?.length ? [el('h3', {}, 'Counsel advice'), el('ul', {}, c.counselAdvice.map((a) => el('li', {}, `${jst(a.at)} ${a.vendorId}: ${a.advice}`)))] : null,
    c.consents?.length
      ? [el('h3', {}, 'Consents'), el('ul', {}, c.consents.map((k) => el('li', {}, `${label(vocab?.costCategories, k.category)}${k.limitJpy !== undefined ? ` up to ${yen(k.limitJpy)}` : ''} — ${k.by}, ${jst(k.at)}`)))]
      : null,
  );
}

function renderNotifications(c) {
  const n = c.notifications;
  const done = n.sent + n.failed + (n.letters ?? 0);
  const list = c.affectedPersonsList;
  replace(
    $('#notifications'),
    el('p', {}, `Notice: ${c.notice?.approved ? `approved (${c.notice.language}) by ${c.notice.approvedBy}, ${jst(c.notice.approvedAt)}` : 'not approved yet'}`),
    el('label', { for: 'notify-progress' }, `${num(done)} of ${num(n.total)} handled — ${n.sent} e-mailed, ${n.letters ?? 0} by letter, ${n.failed} failed (${n.status ?? '—'})`),
    el('progress', { id: 'notify-progress', max: Math.max(1, n.total), value: done }),
    el(
      'p',
      { class: 'small muted' },
      list
        ? `Affected-person list ${list.uploadId}: ${num(list.accepted)} accepted (${num(list.withEmail)} with e-mail, ${num(list.withoutEmail)} by post), ${num(list.duplicates)} duplicates, ${num(list.rejected)} rejected.`
        : 'No affected-person list uploaded yet.',
    ),
  );
}

function renderSettlement(c) {
  const s = c.settlement;
  replace(
    $('#settlement'),
    el('p', {}, `Payable ${yen(s.payableJpy)} · paid ${yen(s.paidJpy)} · held ${yen(s.heldJpy ?? 0)}`),
    s.lines.length === 0
      ? el('p', { class: 'empty' }, 'No cost submitted yet.')
      : s.lines.map((l) =>
          el(
            'details',
            { class: 'line', open: l.status !== 'paid' },
            el(
              'summary',
              {},
              `${l.lineId} · ${label(vocab?.costCategories, l.category)} · claimed ${yen(l.claimedJpy)} → payable ${yen(l.payableJpy)} `,
              badge('line', l.status),
            ),
            l.reasons.length ? el('p', { class: 'small' }, 'Reasons: ', l.reasons.map((r) => el('code', {}, r)).flatMap((x, i) => (i ? [', ', x] : [x]))) : null,
            table(
              ['Step', 'Before', 'After', 'Why'],
              l.steps.map((st) => [st.step, el('span', { class: 'num' }, yen(st.beforeJpy)), el('span', { class: 'num' }, yen(st.afterJpy)), st.explanation]),
              { empty: 'No arithmetic recorded.' },
            ),
            el('p', { class: 'small muted' }, `Evidence: ${l.evidenceRef ?? '—'}`),
          ),
        ),
  );
}

function renderPayouts(c) {
  replace(
    $('#payouts'),
    table(
      ['Payout', 'Lines', 'Requested', 'Granted', 'Status', 'Approved by', 'Paid'],
      (c.payouts ?? []).map((p) => [p.payoutId, p.lineIds.join(', '), yen(p.requestedJpy), yen(p.grantedJpy), badge('payout', p.status), p.approvedBy.join(', ') || '—', p.paidAt ? jst(p.paidAt) : p.reason ?? '—']),
      { empty: 'No payout yet.' },
    ),
  );
}

async function renderTimeline() {
  const r = await get(`/v1/cases/${encodeURIComponent(caseId)}/timeline`);
  if (!r.ok) return;
  replace(
    $('#timeline'),
    el('ol', { class: 'timeline', reversed: true }, [...r.data].reverse().map((t) => el('li', {}, el('time', { datetime: t.at }, jst(t.at)), ' ', el('strong', {}, t.type), ` — ${t.summary} `, el('span', { class: 'muted' }, `(${t.actor})`)))),
  );
}

function render(c) {
  current = c;
  renderSummary(c);
  renderCoverage(c);
  renderExposure(c);
  renderObligations(c);
  renderVendors(c);
  renderNotifications(c);
  renderSettlement(c);
  renderPayouts(c);
  refreshDynamicFields(c);
  void renderTimeline();
}

// ---- actions -----------------------------------------------------------------------------------------------------

const text = (name, lbl, opts = {}) => ({ name, label: lbl, kind: 'text', ...opts });
const int = (name, lbl, opts = {}) => ({ name, label: lbl, kind: 'int', ...opts });
const select = (name, lbl, options, opts = {}) => ({ name, label: lbl, kind: 'select', options, ...opts });
const reason = () => ({ name: 'reason', label: 'Reason', kind: 'textarea', required: true });
const tri = [['', 'unchanged'], ['true', 'yes'], ['false', 'no']];

function actionForms() {
  const cats = vocab.costCategories.map((c) => [c.code, `${c.label} / ${c.labelJa}`]);
  return {
    assign: { help: 'Assign to a handler or supervisor.', fields: [text('assignee', 'Assignee (principal name)', { required: true, value: me.role === 'insured' ? '' : me.name })] },
    'decide-coverage': { help: 'Override the computed coverage decision.', fields: [select('decision', 'Decision', [['covered', 'covered'], ['denied', 'denied']]), reason()] },
    consent: {
      help: 'Consent to a cost category.',
      fields: [select('category', 'Category', cats), int('limitJpy', 'Limit (¥, optional)'), text('vendorId', 'Vendor id (optional)'), text('note', 'Note (optional)')],
    },
    'record-findings': {
      help: 'Record what the investigation found; leave blank what is unchanged.',
      fields: [
        int('affectedPersons', 'Affected persons'),
        select('cause', 'Cause', [['', 'unchanged'], ...vocab.causes.map((c) => [c.code, c.code])]),
        { name: 'occurredAt', label: 'Occurred at (JST)', kind: 'datetime' },
        { name: 'dataItems', label: 'Data items (codes, comma-separated)', kind: 'list' },
        select('encrypted', 'All data strongly encrypted', tri, { kind: 'bool' }),
        select('wrongfulPurpose', 'Wrongful purpose', tri, { kind: 'bool' }),
        { name: 'note', label: 'Note', kind: 'textarea' },
      ],
    },
    'approve-notice': { help: 'Approve the notice; this starts the campaign.', fields: [select('language', 'Language', vocab.noticeLanguages.map((l) => [l, l])), text('templateVersion', 'Template version (optional)')] },
    'record-filing': {
      help: 'Record a filing, or that it is not required (fill the reason instead of the date).',
      fields: [
        { name: 'obligation', label: 'Obligation', kind: 'obligation' },
        { name: 'filedAt', label: 'Filed at (JST)', kind: 'datetime', value: toJstLocal(Date.now()) },
        text('reference', 'Reference (optional)'),
        text('notRequired', 'Not required because (optional)'),
      ],
    },
    'submit-costs': {
      help: 'Submit one cost item with its evidence.',
      fields: [select('category', 'Category', cats), int('amountJpy', 'Amount (¥)', { required: true }), text('evidenceRef', 'Evidence reference', { required: true }), int('persons', 'Persons paid (apology payments)'), text('description', 'Description (optional)')],
    },
    'approve-payout': { help: 'Approve payable lines (all payable lines when none is ticked).', fields: [{ name: 'lineIds', label: 'Lines', kind: 'lines' }] },
    deny: { help: 'Deny the claim.', fields: [reason()] },
    withdraw: { help: 'Withdraw the case.', fields: [reason()] },
    close: { help: 'Close the case.', fields: [reason()] },
    'confirm-findings': {
      help: 'Apply or discard a vendor’s findings held for confirmation (the case view lists them under heldFindings, with before and after).',
      fields: [text('findingsId', 'Findings id', { required: true }), select('decision', 'Decision', [['apply', 'apply'], ['discard', 'discard']]), reason()],
    },
    reopen: { help: 'Reopen a closed or denied case (supervisors): its clocks and settlement resume.', fields: [reason()] },
  };
}

function fieldNode(action, f) {
  const id = `${action}-${f.name}`;
  const err = el('span', { class: 'field-error', id: `${id}-error`, dataset: { path: `/${f.name}` } });
  let input;
  if (f.kind === 'select' || f.kind === 'bool') {
    input = el('select', { id, name: f.name }, f.options.map(([v, t]) => el('option', { value: v }, t)));
  } else if (f.kind === 'textarea') {
    input = el('textarea', { id, name: f.name, rows: 2, required: f.required });
  } else if (f.kind === 'obligation') {
    input = el('select', { id, name: f.name, class: 'dyn-obligations' });
  } else if (f.kind === 'lines') {
    return el('fieldset', { class: 'field dyn-lines' }, el('legend', {}, f.label), el('div', { class: 'line-boxes' }), err);
  } else {
    input = el('input', {
      id,
      name: f.name,
      type: f.kind === 'int' ? 'number' : f.kind === 'datetime' ? 'datetime-local' : 'text',
      ...(f.kind === 'int' ? { min: 0, step: 1, inputmode: 'numeric' } : {}),
      required: f.required,
      autocomplete: 'off',
      value: f.value,
    });
  }
  input.setAttribute('aria-describedby', `${id}-error`);
  return el('div', { class: 'field' }, el('label', { for: id }, f.label), input, err);
}

function bodyOf(action, form, spec) {
  const fd = new FormData(form);
  const body = {};
  for (const f of spec.fields) {
    const raw = f.kind === 'lines' ? fd.getAll('lineIds') : String(fd.get(f.name) ?? '').trim();
    if (f.kind === 'lines') {
      if (raw.length) body.lineIds = raw.map(String);
      continue;
    }
    if (raw === '') continue;
    if (f.kind === 'int') body[f.name] = Number(raw);
    else if (f.kind === 'bool') body[f.name] = raw === 'true';
    else if (f.kind === 'datetime') body[f.name] = fromJstLocal(raw);
    else if (f.kind === 'list') body[f.name] = raw.split(/[\s,、]+/).filter(Boolean);
    else if (f.kind === 'obligation') Object.assign(body, JSON.parse(raw));
    else body[f.name] = raw;
  }
  if (action === 'record-filing' && body.notRequired) delete body.filedAt;
  if (action === 'record-filing' && !body.notRequired) delete body.notRequired;
  if (action === 'submit-costs') return { items: [body] };
  return body;
}

function showFieldErrors(form, errors) {
  const unplaced = [];
  for (const e of errors) {
    // "/items/0/amountJpy" → "/amountJpy": a submit-costs form holds one item.
    let path = e.path.replace(/^\/items\/\d+/, '');
    let slot;
    while (path && !(slot = form.querySelector(`.field-error[data-path="${CSS.escape(path)}"]`))) path = path.replace(/\/[^/]*$/, '');
    if (slot) slot.textContent = e.message;
    else unplaced.push(e);
  }
  return unplaced;
}

function buildActions() {
  const forms = actionForms();
  const allowed = new Map(vocab.actions.map((a) => [a.action, a.roles]));
  const mine = Object.keys(forms).filter((a) => allowed.get(a)?.includes(me.role));
  if (mine.length === 0) {
    replace($('#actions'), el('p', { class: 'muted' }, `Read-only: the role ${me.role} may not act on cases.`));
    return;
  }
  replace(
    $('#actions'),
    mine.map((action) => {
      const spec = forms[action];
      const result = el('p', { class: 'result', role: 'status', 'aria-live': 'polite', id: `result-${action}` });
      const form = el(
        'form',
        { class: 'action', dataset: { action }, novalidate: true, 'aria-labelledby': `h-${action}` },
        el('h3', { id: `h-${action}` }, action),
        el('p', { class: 'small muted' }, spec.help),
        spec.fields.map((f) => fieldNode(action, f)),
        el('button', { type: 'submit' }, action),
        result,
      );
      // One Idempotency-Key per command, kept until the API gives a definite answer: a submission that got no answer
      // (network, or a 503 while the case is busy) may already be recorded, and sending it again must not repeat it.
      let commandKey = crypto.randomUUID();
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        for (const s of $$('.field-error', form)) s.textContent = '';
        result.textContent = '';
        result.className = 'result';
        const button = form.querySelector('button[type=submit]');
        button.disabled = true;
        form.setAttribute('aria-busy', 'true');
        try {
          const r = await api(`/v1/cases/${encodeURIComponent(caseId)}/actions/${action}`, {
            method: 'POST',
            body: bodyOf(action, form, spec),
            headers: { 'Idempotency-Key': commandKey },
          });
          commandKey = crypto.randomUUID();
          if (r.ok) {
            result.className = 'result ok';
            result.textContent = `Done at ${jstTime(new Date())}.`;
            render(r.data);
          } else {
            const rest = showFieldErrors(form, r.problem?.errors ?? []);
            result.className = 'result problem';
            result.setAttribute('role', 'alert');
            result.textContent = [`Refused: ${problemText(r.problem) || `HTTP ${r.status}`}`, ...rest.map((e) => `${e.path}: ${e.message}`)].join(' · ');
          }
        } catch (err) {
          result.className = 'result problem';
          result.textContent = `No answer yet (${err.message}): the command may already be recorded. Submitting again is safe; it will not be applied twice.`;
        } finally {
          button.disabled = false;
          form.removeAttribute('aria-busy');
        }
      });
      return form;
    }),
  );
}

/** Options that depend on the case (obligations to file, lines to approve), keeping what the user had chosen. */
function refreshDynamicFields(c) {
  for (const sel of $$('.dyn-obligations')) {
    const chosen = sel.value;
    replace(
      sel,
      c.obligations
        .filter((o) => o.status === 'pending' || o.status === 'overdue')
        .map((o) => el('option', { value: JSON.stringify({ regime: o.regime, kind: o.kind, audience: o.audience }) }, `${o.regime} ${o.kind} (${o.audience}) due ${jst(o.dueAt)}`)),
    );
    if (sel.options.length === 0) sel.append(el('option', { value: '' }, 'nothing left to file'));
    if ([...sel.options].some((o) => o.value === chosen)) sel.value = chosen;
  }
  for (const box of $$('.dyn-lines .line-boxes')) {
    const ticked = new Set($$('input:checked', box).map((i) => i.value));
    const payable = c.settlement.lines.filter((l) => l.status === 'payable');
    replace(
      box,
      payable.length === 0
        ? el('p', { class: 'small muted' }, 'No payable line.')
        : payable.map((l) =>
            el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'lineIds', value: l.lineId, checked: ticked.has(l.lineId) }), ` ${l.lineId} ${label(vocab?.costCategories, l.category)} ${yen(l.payableJpy)}`),
          ),
    );
  }
}

// ---- polling -----------------------------------------------------------------------------------------------------

async function poll() {
  clearTimeout(timer);
  try {
    const r = await get(`/v1/cases/${encodeURIComponent(caseId)}`);
    if (r.status === 404) {
      replace($('#main'), el('h1', {}, 'Case not found'), el('p', { class: 'problem', role: 'alert' }, problemText(r.problem)));
      return;
    }
    if (!r.ok) throw new Error(problemText(r.problem) || `HTTP ${r.status}`);
    if (!r.notModified || !current) render(r.data);
    lastGood = new Date();
    document.body.classList.remove('stale');
    $('#conn').dataset.state = 'fresh';
    $('#conn').textContent = `Live · last refreshed ${jstTime(lastGood)}`;
  } catch (err) {
    document.body.classList.add('stale');
    $('#conn').dataset.state = 'stale';
    $('#conn').textContent =
      err instanceof Unreachable
        ? `Reconnecting… shown as of ${lastGood ? jstTime(lastGood) : '—'}; may be out of date.`
        : `Not refreshed: ${err.message}`;
  }
  timer = setTimeout(poll, POLL_MS);
}

async function init() {
  if (refuseRole(me, ['handler', 'supervisor', 'ops', 'admin', 'insured'], 'Case desk')) return;
  vocab = await vocabulary();
  buildActions();
  startCountdowns();
  await poll();
}

void init();
