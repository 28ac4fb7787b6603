/**
 * Recurrence prevention after a breach (再発防止, domain.md 8b): a plan of measures, each with an owner and a due date,
 * drawn from the forensic findings and counsel's advice; a reminder before each due date; its progress is item 8 of
 * the PPC final report (`preventionMeasures`). Pure: the case workflow keeps the plan and the filings word it.
 */
import { PREVENTION_LIMITS_PLAN } from './limits.js';
import type { UpdatePreventionMeasureBody } from './schemas.js';
import {
  DATA_ITEMS,
  type Cause,
  type DataItemInfo,
  type PreventionMeasureCode,
  type PreventionMeasureStatus,
} from './vocabulary.js';

/** Why a measure is in the plan. */
export type PlanMeasureSource = 'cause' | 'data' | 'findings' | 'counsel' | 'edited';

/** One measure of the plan as the case view shows it (`services.preventionPlan[]`). */
export interface PreventionMeasure {
  measure: PreventionMeasureCode;
  /** Who carries it out: a department or role of the insured (not a person's name). */
  owner: string;
  dueAt: string;
  status: PreventionMeasureStatus;
  source: PlanMeasureSource[];
  plannedAt: string;
  updatedAt?: string;
  updatedBy?: string;
  doneAt?: string;
  /** When the reminder for the current due date was sent. */
  remindedAt?: string;
}


/** Product decision: days from planning to each measure's due date, quickest first where the leak came through. */
export const MEASURE_DUE_DAYS: Record<PreventionMeasureCode, number> = {
  access_control: 30,
  encryption: 60,
  monitoring: 60,
  staff_training: 90,
  vendor_management: 90,
};

/**
 * Product decision: the owner a measure starts with, a department of the insured by its usual Japanese name (the
 * owner is the insured's own text, like a name, and is shown as it is); the insured names its own department with
 * `update-prevention-measure`.
 */
export const DEFAULT_MEASURE_OWNER: Record<PreventionMeasureCode, string> = {
  access_control: '情報システム部門',
  encryption: '情報システム部門',
  monitoring: '情報システム部門',
  staff_training: '人事・総務部門',
  vendor_management: '委託先管理部門',
};

/** Product decision: the reminder goes this long before a measure's due date. */
export const PREVENTION_REMINDER_LEAD_MS = 7 * 86_400_000;

/** What each cause calls for. */
export const CAUSE_MEASURES: Record<Cause, readonly PreventionMeasureCode[]> = {
  device_loss: ['encryption', 'staff_training'],
  device_theft: ['encryption', 'staff_training'],
  misdelivery: ['staff_training'],
  misconfiguration: ['access_control', 'monitoring'],
  external_attack: ['access_control', 'monitoring'],
  insider_malicious: ['access_control', 'monitoring'],
  insider_negligent: ['staff_training', 'access_control'],
  vendor_breach: ['vendor_management'],
  web_skimming: ['monitoring', 'access_control'],
  other: ['staff_training'],
};

/** Words in counsel's advice or the findings' notes (Japanese or English) that name a measure. */
const KEYWORDS: Record<PreventionMeasureCode, RegExp> = {
  access_control: /アクセス|権限|多要素|パスワード|認証|access|privilege|password|mfa|multi-factor|authentication/i,
  encryption: /暗号|encrypt/i,
  staff_training: /研修|教育|訓練|周知|\btrain|awareness|educat/i,
  monitoring: /監視|ログ|検知|monitor|logging|\blogs?\b|detect|edr/i,
  vendor_management: /委託|業者|ベンダー|vendor|supplier|contractor|outsourc/i,
};

export interface PlanFacts {
  cause: string;
  dataItems: readonly string[];
  counselAdvice: readonly { advice: string }[];
  /** Findings recorded on the case (a handler's `record-findings`, a vendor's confirmed findings), with their notes. */
  findings: readonly { note?: string }[];
}

/**
 * The measures the facts call for, each with why. Empty until there are findings or counsel's advice: the plan
 * follows the investigation, not the first report. Then the cause's measures, encryption when financial-risk or
 * sensitive items leaked, and any measure the advice or a finding's note names.
 */
export function proposeMeasures(f: PlanFacts): { measure: PreventionMeasureCode; source: PlanMeasureSource[] }[] {
  if (f.findings.length === 0 && f.counselAdvice.length === 0) return [];
  const out = new Map<PreventionMeasureCode, Set<PlanMeasureSource>>();
  const add = (m: PreventionMeasureCode, s: PlanMeasureSource) => {
    if (!out.has(m)) out.set(m, new Set());
    out.get(m)!.add(s);
  };
  for (const m of CAUSE_MEASURES[f.cause as Cause] ?? []) add(m, 'cause');
  const risky = f.dataItems.some((i) => {
    const info = (DATA_ITEMS as Record<string, DataItemInfo>)[i];
    return info?.financialRisk === true || info?.sensitive === true;
  });
  if (risky) add('encryption', 'data');
  const texts: [string, PlanMeasureSource][] = [
    ...f.findings.filter((x) => x.note?.trim()).map((x): [string, PlanMeasureSource] => [x.note!, 'findings']),
    ...f.counselAdvice.filter((a) => a.advice.trim()).map((a): [string, PlanMeasureSource] => [a.advice, 'counsel']),
  ];
  for (const [text, source] of texts) {
    for (const [m, re] of Object.entries(KEYWORDS) as [PreventionMeasureCode, RegExp][]) if (re.test(text)) add(m, source);
  }
  const order = Object.keys(MEASURE_DUE_DAYS) as PreventionMeasureCode[];
  return order.filter((m) => out.has(m)).map((m) => ({ measure: m, source: [...out.get(m)!].sort() }));
}

/**
 * The plan after the facts changed: every measure already planned stays as it is (owner, due date, status: what the
 * insured set), a newly called-for measure is added with its default owner and due date from `now`, and a measure
 * planned before gains any new reason. Never drops a measure. `added` lists the new ones.
 */
export function mergePlan(
  plan: readonly PreventionMeasure[],
  proposed: readonly { measure: PreventionMeasureCode; source: PlanMeasureSource[] }[],
  now: string,
): { plan: PreventionMeasure[]; added: PreventionMeasureCode[]; changed: boolean } {
  const next = plan.map((m) => ({ ...m, source: [...m.source] }));
  const added: PreventionMeasureCode[] = [];
  let changed = false;
  for (const p of proposed) {
    const found = next.find((m) => m.measure === p.measure);
    if (found) {
      const more = p.source.filter((s) => !found.source.includes(s));
      if (more.length > 0) {
        found.source = [...found.source, ...more].sort();
        changed = true;
      }
      continue;
    }
    next.push({
      measure: p.measure,
      owner: DEFAULT_MEASURE_OWNER[p.measure],
      dueAt: new Date(Date.parse(now) + MEASURE_DUE_DAYS[p.measure] * 86_400_000).toISOString(),
      status: 'planned',
      source: [...p.source],
      plannedAt: now,
    });
    added.push(p.measure);
    changed = true;
  }
  return { plan: next, added, changed };
}

/**
 * Applies an update to the plan: the measure's status, owner and due date (a measure not yet in the plan is added,
 * source `edited`). A new due date clears the reminder, so the next one is sent before it. Refuses (as text) an
 * update that changes nothing, or a due date already past.
 */
export function updateMeasure(
  plan: readonly PreventionMeasure[],
  body: UpdatePreventionMeasureBody,
  by: string,
  now: string,
  opts: { checkPast: boolean } = { checkPast: true },
): { ok: true; plan: PreventionMeasure[]; measure: PreventionMeasure; added: boolean } | { ok: false; code: 'nothing_to_do' | 'invalid'; error: string } {
  if (opts.checkPast && body.dueAt !== undefined && Date.parse(body.dueAt) < Date.parse(now) - PREVENTION_LIMITS_PLAN.pastToleranceMs) {
    return { ok: false, code: 'invalid', error: 'dueAt is in the past' };
  }
  const next = plan.map((m) => ({ ...m, source: [...m.source] }));
  let m = next.find((x) => x.measure === body.measure);
  const added = !m;
  if (!m) {
    m = {
      measure: body.measure,
      owner: DEFAULT_MEASURE_OWNER[body.measure],
      dueAt: new Date(Date.parse(now) + MEASURE_DUE_DAYS[body.measure] * 86_400_000).toISOString(),
      status: 'planned',
      source: ['edited'],
      plannedAt: now,
    };
    next.push(m);
  }
  const same = !added && m.status === body.status && (body.owner === undefined || body.owner === m.owner) && (body.dueAt === undefined || body.dueAt === m.dueAt);
  if (same) return { ok: false, code: 'nothing_to_do', error: `${body.measure} is ${body.status} already, with that owner and due date` };
  if (body.dueAt !== undefined && body.dueAt !== m.dueAt) {
    m.dueAt = body.dueAt;
    delete m.remindedAt;
  }
  if (body.owner !== undefined) m.owner = body.owner;
  if (body.status === 'done' && m.status !== 'done') m.doneAt = now;
  if (body.status !== 'done') delete m.doneAt;
  m.status = body.status;
  m.updatedAt = now;
  m.updatedBy = by;
  return { ok: true, plan: next, measure: m, added };
}

/** The measures whose reminder is due at `now`: not done, not yet reminded for their due date, due within the lead. */
export function preventionRemindersDue(plan: readonly PreventionMeasure[], now: string): PreventionMeasure[] {
  const t = Date.parse(now);
  return plan.filter((m) => m.status !== 'done' && !m.remindedAt && Date.parse(m.dueAt) - PREVENTION_REMINDER_LEAD_MS <= t);
}

/** When the next reminder of the plan falls due (ms), or undefined when none is left. */
export function nextPreventionReminderAt(plan: readonly PreventionMeasure[]): number | undefined {
  const times = plan.filter((m) => m.status !== 'done' && !m.remindedAt).map((m) => Date.parse(m.dueAt) - PREVENTION_REMINDER_LEAD_MS);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Measure names as the filings and e-mails word them. */
export const PREVENTION_MEASURE_LABELS: Record<PreventionMeasureCode, { ja: string; en: string }> = {
  access_control: { ja: 'アクセス制御の強化', en: 'Stronger access control' },
  encryption: { ja: 'データの暗号化', en: 'Encryption of data' },
  staff_training: { ja: '従業員教育', en: 'Staff training' },
  monitoring: { ja: '監視体制の強化', en: 'Better monitoring' },
  vendor_management: { ja: '委託先管理の強化', en: 'Stronger vendor management' },
};

export const PREVENTION_STATUS_LABELS: Record<PreventionMeasureStatus, { ja: string; en: string }> = {
  planned: { ja: '予定', en: 'planned' },
  in_progress: { ja: '実施中', en: 'in progress' },
  done: { ja: '実施済み', en: 'done' },
};

/** How many measures are done, of how many. */
export function planProgress(plan: readonly Pick<PreventionMeasure, 'status'>[]): { done: number; total: number } {
  return { done: plan.filter((m) => m.status === 'done').length, total: plan.length };
}
