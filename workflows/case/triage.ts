/**
 * Intake and triage track: the facts of the case (the report, then findings), what the rules make of them (severity,
 * exposure, reserve, coverage, obligations: `triage` in domain/, the same function the API's first answer calls),
 * the coverage decision and its override, denial, and who handles the case.
 */
import {
  FINDINGS_CONCERN_TEXT,
  FINDINGS_PROBLEM_TEXT,
  WRONGFUL_PURPOSE_CAUSES,
  applyCoverageOverride,
  findingsConcerns,
  findingsProblems,
  type FindingsSide,
  assessCoverage,
  personsNotifiedAtFrom,
  triage,
  type Cause,
  type DataItem,
  type TriageFacts,
} from '../../domain/rules.js';
import type { RecordFindingsBody } from '../../domain/schemas.js';
import { applyTriage } from '../case-view.js';
import type { VendorFindings } from '../contract.js';
import type { CommandTable } from './command.js';
import { assignmentMail, denialLetter, insuredContact } from './messages.js';
import { logFindings } from './filings.js';
import { recomputeSettlement } from './settlement.js';
import { isTerminal, nowIso, queueEmail, record, refuse, setStatus, type CaseContext } from './state.js';

/** The facts the rules run on: the report as amended by findings. */
export function caseFacts(c: CaseContext): TriageFacts {
  const { v, s, report } = c;
  return {
    dataItems: v.dataItems as DataItem[],
    affectedPersons: v.affectedPersons,
    cause: v.cause as Cause,
    encrypted: c.rules.encryptedFindings ? (s.findings.encrypted ?? report.encrypted) : report.encrypted,
    occurredAt: v.occurredAt,
    discoveredAt: v.discoveredAt,
    notifiableDecidedAt: v.reportedAt,
    residency: s.findings.residency ?? report.residency ?? {},
    wrongfulPurpose: s.findings.wrongfulPurpose ?? WRONGFUL_PURPOSE_CAUSES.includes(v.cause as Cause),
    circumstances: report.circumstances,
    ...(c.rules.personsNoticeAnchor ? { personsNotifiedAt: personsNotifiedAtFrom(v.obligations) } : {}),
  };
}

/** Severity, exposure, reserve, coverage and obligations from the current facts; deadlines only move earlier. */
export function assess(c: CaseContext, actor: string, why: string): void {
  const { v } = c;
  const history = v.reserve.history;
  const before = JSON.stringify([v.reserve.totalJpy, v.reserve.byCategory]);
  applyTriage(v, triage(c.policy, caseFacts(c)));
  if (c.rules.reserveHistory) {
    // applyTriage writes a fresh reserve: the history is carried over, and grows only when the figures changed.
    v.reserve.history = history ?? [];
    if (before !== JSON.stringify([v.reserve.totalJpy, v.reserve.byCategory]) || v.reserve.history.length === 0) {
      v.reserve.history.push({ at: nowIso(), totalJpy: v.reserve.totalJpy, byCategory: { ...v.reserve.byCategory }, why, actor });
    }
  }
  recomputeSettlement(c);
  record(c, 'assessment', actor, `${why}: severity ${v.severity}, coverage ${v.coverage.decision}, ${v.obligations.length} obligations`);
}

export function deny(c: CaseContext, actor: string, why: string): void {
  setStatus(c, 'denied', actor, why);
  queueEmail(c, 'denial', insuredContact(c), denialLetter(c));
}

type Findings = RecordFindingsBody & { wrongfulPurpose?: boolean };

/** Findings from a handler or the forensic firm: the facts change, and so may everything the rules derive. */
export function applyFindings(c: CaseContext, f: Findings, actor: string): void {
  const { v, s, report } = c;
  const changes: string[] = [];
  if (f.affectedPersons !== undefined && f.affectedPersons !== v.affectedPersons) {
    changes.push(`persons ${v.affectedPersons} → ${f.affectedPersons}`);
    v.affectedPersons = f.affectedPersons;
  }
  if (f.dataItems && f.dataItems.length > 0) {
    const merged = [...new Set([...v.dataItems, ...f.dataItems])];
    if (merged.length !== v.dataItems.length) changes.push(`data items + ${merged.filter((i) => !v.dataItems.includes(i)).join(', ')}`);
    v.dataItems = merged;
  }
  if (f.occurredAt !== undefined && f.occurredAt !== v.occurredAt) {
    changes.push(`occurred at ${f.occurredAt}`);
    v.occurredAt = f.occurredAt;
    s.findings.occurredAt = f.occurredAt;
  }
  if (f.cause && f.cause !== v.cause) {
    changes.push(`cause ${v.cause} → ${f.cause}`);
    v.cause = f.cause;
  }
  if (f.wrongfulPurpose !== undefined) {
    s.findings.wrongfulPurpose = f.wrongfulPurpose;
    changes.push(`wrongful purpose ${f.wrongfulPurpose ? 'confirmed' : 'ruled out'}`);
  }
  if (f.encrypted !== undefined && c.rules.encryptedFindings) {
    s.findings.encrypted = f.encrypted;
    changes.push(f.encrypted ? 'data found strongly encrypted' : 'data found not (strongly) encrypted');
  }
  if (f.residency) {
    s.findings.residency = { ...(s.findings.residency ?? report.residency ?? {}), ...f.residency };
    changes.push('residency updated');
  }
  record(c, 'findings', actor, changes.length > 0 ? `findings: ${changes.join('; ')}` : 'findings recorded (no change)');
  logFindings(c, actor, f.note);
  const before = v.coverage.decision;
  assess(c, actor, 'recomputed after findings');
  if (before !== 'denied' && v.coverage.decision === 'denied' && !isTerminal(v.status)) {
    deny(c, actor, `coverage denied on findings: ${v.coverage.reasons.join(', ')}`);
  } else if (before === 'provisional' && v.coverage.decision === 'covered') {
    record(c, 'coverage', actor, 'coverage confirmed: forensics dated the occurrence');
  }
}

/** The side of a finding as `findingsConcerns` judges it: persons, occurrence and the duties the rules derive. */
function sideOf(c: CaseContext, facts: TriageFacts): FindingsSide {
  return { affectedPersons: facts.affectedPersons, occurredAt: facts.occurredAt, obligations: triage(c.policy, facts).obligations.map((o) => o.id) };
}

/**
 * A forensic finding from a vendor: refused when it cannot be true, held for a handler's `confirm-findings` when it
 * would lower the persons, move the occurrence date or lift a duty, applied otherwise.
 */
export function receiveVendorFindings(c: CaseContext, findingsId: string, vendorId: string, f: VendorFindings): void {
  const who = `vendor:${vendorId}`;
  const problems = findingsProblems(f, c.v.discoveredAt, nowIso());
  if (problems.length > 0) {
    record(c, 'refused', who, `findings ${findingsId} refused: ${problems.map((p) => FINDINGS_PROBLEM_TEXT[p]).join('; ')}`);
    return;
  }
  const now = caseFacts(c);
  const then: TriageFacts = {
    ...now,
    ...(f.affectedPersons !== undefined ? { affectedPersons: f.affectedPersons } : {}),
    ...(f.occurredAt !== undefined ? { occurredAt: f.occurredAt } : {}),
    ...(f.cause ? { cause: f.cause as Cause } : {}),
    ...(f.dataItems ? { dataItems: [...new Set([...now.dataItems, ...(f.dataItems as DataItem[])])] } : {}),
    ...(f.wrongfulPurpose !== undefined ? { wrongfulPurpose: f.wrongfulPurpose } : {}),
    ...(f.residency ? { residency: { ...now.residency, ...f.residency } } : {}),
  };
  const before = sideOf(c, now);
  const after = sideOf(c, then);
  const concerns = findingsConcerns(before, after);
  if (concerns.length === 0) {
    applyFindings(c, findingsBody(f), who);
    return;
  }
  const held = (c.v.heldFindings ??= []);
  held.push({ findingsId, vendorId, at: nowIso(), concerns, before: { ...before, obligations: [...before.obligations] }, after: { ...after, obligations: [...after.obligations] }, findings: f });
  record(c, 'findings', who, `findings ${findingsId} held for a handler: ${concerns.map((x) => FINDINGS_CONCERN_TEXT[x]).join('; ')}`);
}

/** A vendor's findings as the findings a handler records (the same fields, typed by the domain). */
export function findingsBody(f: VendorFindings): Findings {
  return {
    ...(f.affectedPersons !== undefined ? { affectedPersons: f.affectedPersons } : {}),
    ...(f.dataItems ? { dataItems: f.dataItems as DataItem[] } : {}),
    ...(f.occurredAt ? { occurredAt: f.occurredAt } : {}),
    ...(f.cause ? { cause: f.cause as Cause } : {}),
    ...(f.residency ? { residency: f.residency } : {}),
    ...(f.wrongfulPurpose !== undefined ? { wrongfulPurpose: f.wrongfulPurpose } : {}),
    // Kept for the filings' drafts only (`logFindings`, rule `filingDrafts`); nothing else reads a note.
    ...(f.summary ? { note: f.summary.slice(0, 4000) } : {}),
  };
}

export const triageCommands: CommandTable<'assign' | 'decide-coverage' | 'record-findings' | 'deny' | 'confirm-findings'> = {
  assign: {
    apply(c, b, actor) {
      c.v.assignedTo = b.assignee;
      record(c, 'assign', actor.name, `assigned to ${b.assignee}`);
      queueEmail(c, `assignment:${b.assignee}`, { kind: 'principal', name: b.assignee }, assignmentMail(c, b.assignee, actor.name));
    },
  },
  'decide-coverage': {
    check(c, b) {
      const { v } = c;
      if (b.decision === 'covered' && v.status === 'settlement' && v.coverage.decision === 'covered') {
        refuse('nothing_to_do', 'coverage is already covered');
      }
    },
    apply(c, b, actor) {
      const { v } = c;
      const computed = assessCoverage(c.policy, { discoveredAt: v.discoveredAt, occurredAt: v.occurredAt, circumstances: c.report.circumstances });
      const decided = applyCoverageOverride(computed, { decision: b.decision, reason: b.reason, by: actor.name, at: nowIso() });
      v.coverage.override = decided.override ?? undefined;
      v.coverage.decision = decided.effective.decision;
      record(c, 'coverage', actor.name, `coverage decided ${b.decision} (computed ${v.coverage.computed?.decision}): ${b.reason}`);
      if (b.decision === 'denied') deny(c, actor.name, 'coverage denied by decision');
      else if (v.status === 'triage' || v.status === 'reported') setStatus(c, 'response', actor.name, 'coverage confirmed');
      recomputeSettlement(c);
    },
  },
  'record-findings': {
    check(c, b) {
      if (!c.rules.findingsChecked) return;
      // A query sees the clock of the case's last task, so "in the future" is left to the command's own arrival.
      const problems = findingsProblems(b, c.v.discoveredAt, nowIso()).filter((p) => !(c.checkingByQuery && p === 'occurred_in_future'));
      if (problems.length > 0) refuse('invalid', problems.map((p) => FINDINGS_PROBLEM_TEXT[p]).join('; '));
    },
    apply: (c, b, actor) => applyFindings(c, b, actor.name),
  },
  'confirm-findings': {
    check(c, b) {
      if (!c.v.heldFindings?.some((h) => h.findingsId === b.findingsId)) refuse('nothing_to_do', `no findings ${b.findingsId} are held on this case`);
    },
    apply(c, b, actor) {
      const held = c.v.heldFindings!;
      const found = held.splice(held.findIndex((h) => h.findingsId === b.findingsId), 1)[0]!;
      if (b.decision === 'apply') {
        record(c, 'findings', actor.name, `findings ${found.findingsId} of vendor:${found.vendorId} confirmed: ${b.reason}`);
        applyFindings(c, findingsBody(found.findings), actor.name);
      } else {
        record(c, 'findings', actor.name, `findings ${found.findingsId} of vendor:${found.vendorId} discarded: ${b.reason}`);
      }
    },
  },
  deny: {
    apply(c, b, actor) {
      c.v.coverage.override = { decision: 'denied', reason: b.reason, by: actor.name, at: nowIso() };
      c.v.coverage.decision = 'denied';
      deny(c, actor.name, b.reason);
    },
  },
};
