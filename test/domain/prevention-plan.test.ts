import { describe, expect, it } from 'vitest';
import {
  UpdatePreventionMeasureBodySchema,
  draftFiling,
  mergePlan,
  nextPreventionReminderAt,
  planProgress,
  preventionRemindersDue,
  preventionText,
  proposeMeasures,
  updateMeasure,
  type FilingFacts,
  type PreventionMeasure,
} from '../../domain/index.js';

const NOW = '2026-11-20T00:00:00.000Z';
const DAY = 86_400_000;
const plus = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString();

describe('proposeMeasures', () => {
  it.each([
    ['nothing known yet: no plan', { cause: 'external_attack', dataItems: ['credit_card'], counselAdvice: [], findings: [] }, []],
    ['a lost laptop', { cause: 'device_loss', dataItems: ['name'], counselAdvice: [], findings: [{}] }, [['encryption', ['cause']], ['staff_training', ['cause']]]],
    [
      'skimming of card data, a note on passwords',
      { cause: 'web_skimming', dataItems: ['credit_card'], counselAdvice: [], findings: [{ note: 'パスワードが使い回されていた' }] },
      [['access_control', ['cause', 'findings']], ['encryption', ['data']], ['monitoring', ['cause']]],
    ],
    [
      'a vendor breach with counsel advising training and encryption',
      { cause: 'vendor_breach', dataItems: ['name'], counselAdvice: [{ advice: 'Encrypt the exports and train staff.' }], findings: [] },
      [['encryption', ['counsel']], ['staff_training', ['counsel']], ['vendor_management', ['cause']]],
    ],
    ['misdelivery of medical data', { cause: 'misdelivery', dataItems: ['medical_history'], counselAdvice: [], findings: [{ note: '' }] }, [['encryption', ['data']], ['staff_training', ['cause']]]],
    ['an unknown cause still plans from the advice', { cause: 'x', dataItems: [], counselAdvice: [{ advice: 'ログの監視を強化すること' }], findings: [] }, [['monitoring', ['counsel']]]],
  ] as const)('%s', (_why, facts, expected) => {
    expect(proposeMeasures(facts).map((m) => [m.measure, m.source])).toEqual(expected);
  });
});

describe('mergePlan', () => {
  const planned: PreventionMeasure = { measure: 'encryption', owner: 'IT', dueAt: plus(10), status: 'in_progress', source: ['cause'], plannedAt: NOW };

  it('adds new measures with their default owner and due date, keeps what the insured set, never drops one', () => {
    const merged = mergePlan([planned], [{ measure: 'encryption', source: ['cause', 'data'] }, { measure: 'access_control', source: ['findings'] }], plus(1));
    expect(merged.added).toEqual(['access_control']);
    expect(merged.changed).toBe(true);
    expect(merged.plan).toEqual([
      { ...planned, source: ['cause', 'data'] },
      { measure: 'access_control', owner: '情報システム部門', dueAt: plus(31), status: 'planned', source: ['findings'], plannedAt: plus(1) },
    ]);
    expect(mergePlan(merged.plan, [], plus(2))).toMatchObject({ changed: false, added: [], plan: merged.plan });
    expect(mergePlan(merged.plan, [{ measure: 'access_control', source: ['findings'] }], plus(2)).changed).toBe(false);
  });
});

describe('updateMeasure', () => {
  const plan: PreventionMeasure[] = [{ measure: 'encryption', owner: 'IT', dueAt: plus(30), status: 'planned', source: ['cause'], plannedAt: NOW, remindedAt: plus(23) }];
  const body = (b: Record<string, unknown>) => UpdatePreventionMeasureBodySchema.parse(b);

  it.each([
    ['start it', { measure: 'encryption', status: 'in_progress' }, { status: 'in_progress', owner: 'IT', dueAt: plus(30), remindedAt: plus(23) }],
    ['a new due date clears the reminder', { measure: 'encryption', status: 'planned', dueAt: plus(40) }, { status: 'planned', dueAt: plus(40) }],
    ['done', { measure: 'encryption', status: 'done', owner: 'EC事業部' }, { status: 'done', owner: 'EC事業部', doneAt: NOW }],
  ] as const)('%s', (_why, b, expected) => {
    const r = updateMeasure(plan, body(b), 'insured-1', NOW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.measure).toMatchObject({ ...expected, updatedBy: 'insured-1', updatedAt: NOW });
    expect(r.added).toBe(false);
    expect('remindedAt' in r.measure).toBe(!('dueAt' in b));
    // The input plan is never changed.
    expect(plan[0]!.status).toBe('planned');
  });

  it.each([
    ['the same status, owner and due date', { measure: 'encryption', status: 'planned', owner: 'IT' }, 'nothing_to_do'],
    ['a due date in the past', { measure: 'encryption', status: 'planned', dueAt: plus(-2) }, 'invalid'],
  ] as const)('refuses %s', (_why, b, code) => {
    expect(updateMeasure(plan, body(b), 'h', NOW)).toMatchObject({ ok: false, code });
  });

  it('adds a measure not in the plan', () => {
    const r = updateMeasure(plan, body({ measure: 'monitoring', status: 'planned' }), 'handler', NOW);
    expect(r).toMatchObject({ ok: true, added: true, measure: { measure: 'monitoring', source: ['edited'], dueAt: plus(60) } });
  });

  it.each([
    [{ measure: 'firewall', status: 'planned' }],
    [{ measure: 'encryption', status: 'finished' }],
    [{ measure: 'encryption', status: 'done', owner: '<b>x</b>' }],
    [{ measure: 'encryption', status: 'done', owner: 'a\nb' }],
    [{ measure: 'encryption', status: 'done', dueAt: 'tomorrow' }],
    [{ measure: 'encryption', status: 'done', extra: 1 }],
  ])('refuses the body %j', (b) => {
    expect(UpdatePreventionMeasureBodySchema.safeParse(b).success).toBe(false);
  });
});

describe('reminders', () => {
  const m = (measure: PreventionMeasure['measure'], dueIn: number, extra: Partial<PreventionMeasure> = {}): PreventionMeasure => ({
    measure,
    owner: 'IT',
    dueAt: plus(dueIn),
    status: 'planned',
    source: ['cause'],
    plannedAt: NOW,
    ...extra,
  });
  it.each([
    ['due in 8 days: not yet', [m('encryption', 8)], [], plus(1)],
    ['due in 7 days: now', [m('encryption', 7)], ['encryption'], undefined],
    ['already reminded', [m('encryption', 3, { remindedAt: NOW })], [], undefined],
    ['done', [m('encryption', 3, { status: 'done' })], [], undefined],
    ['overdue and never reminded', [m('encryption', -1), m('monitoring', 30)], ['encryption'], plus(23)],
  ] as const)('%s', (_why, plan, due, next) => {
    expect(preventionRemindersDue(plan, NOW).map((x) => x.measure)).toEqual(due);
    const remaining = plan.filter((x) => !(due as readonly string[]).includes(x.measure));
    const at = nextPreventionReminderAt(remaining);
    expect(at === undefined ? undefined : new Date(at).toISOString()).toBe(next);
  });
});

describe('the final report words the plan', () => {
  const facts = (plan?: PreventionMeasure[]): FilingFacts => ({
    caseId: 'C1',
    discoveredAt: NOW,
    occurredAt: null,
    cause: 'web_skimming',
    dataItems: ['credit_card'],
    affectedPersons: 10,
    obligations: [],
    counselAdvice: [{ at: NOW, advice: 'MFAを導入すること' }],
    notice: { approved: false },
    notifications: { total: 0, sent: 0, failed: 0, letters: 0, status: 'not_started' },
    ...(plan ? { services: { preventionPlan: plan } } : {}),
  });
  const plan: PreventionMeasure[] = [
    { measure: 'access_control', owner: 'システム課', dueAt: '2026-12-20T00:00:00.000Z', status: 'done', source: ['counsel'], plannedAt: NOW },
    { measure: 'monitoring', owner: 'システム課', dueAt: '2027-01-19T00:00:00.000Z', status: 'in_progress', source: ['cause'], plannedAt: NOW },
  ];

  it('in Japanese and English, progress first, then the advice it came from', () => {
    expect(preventionText(facts(plan), 'ja')!.split('\n')).toEqual([
      '再発防止計画（2件中1件実施済み）:',
      '・アクセス制御の強化（担当: システム課、期限: 2026-12-20 09:00 JST、状況: 実施済み）',
      '・監視体制の強化（担当: システム課、期限: 2027-01-19 09:00 JST、状況: 実施中）',
      '弁護士の助言（2026-11-20 09:00 JST）: MFAを導入すること',
    ]);
    expect(preventionText(facts(plan), 'en')!.split('\n').slice(0, 2)).toEqual([
      'Recurrence-prevention plan (1 of 2 measures done):',
      '- Stronger access control (owner: システム課, due 2026-12-20 09:00 JST, done)',
    ]);
    expect(planProgress(plan)).toEqual({ done: 1, total: 2 });
  });

  it('without a plan (older cases, or none yet) as before', () => {
    expect(preventionText(facts(), 'ja')).toBe('弁護士の助言（2026-11-20 09:00 JST）: MFAを導入すること');
    expect(preventionText(facts([]), 'ja')).toBe(preventionText(facts(), 'ja'));
    const final = { id: 'JP-APPI:regulator:final', regime: 'JP-APPI', audience: 'regulator', kind: 'final', status: 'pending', dueAt: NOW } as const;
    expect(draftFiling(facts(plan), final).items.preventionMeasures!.value).toContain('2件中1件実施済み');
  });
});
