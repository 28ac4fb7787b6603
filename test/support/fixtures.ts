import type { IncidentReport, PolicyRecord } from '../../domain/index.js';
import { IncidentReportSchema, PolicyRecordSchema } from '../../domain/index.js';
import { DEFAULT_CASE_SETTINGS, type Actor, type CaseInput, type PanelVendor } from '../../workflows/contract.js';
import { commandSigner } from '../../api/command-signer.js';

/** The command-signing keyring of the workflow tests (fixed seeds: tests only), and a second one nobody trusts. */
export const TEST_SIGNING_KEYS = `t1:${'11'.repeat(32)}`;
export const testSigner = commandSigner(TEST_SIGNING_KEYS);
export const strangerSigner = commandSigner(`t1:${'66'.repeat(32)}`);

let counter = 0;
/** Ids unique across test files running in parallel forks. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A policy year around today, so the tests do not expire with the calendar. */
export function policyBody(overrides: Record<string, unknown> = {}, now = Date.now()) {
  const start = Math.floor((now - 180 * DAY) / DAY) * DAY;
  return {
    insuredId: 'ins-001',
    insuredName: '株式会社サンプル',
    periodStart: iso(start),
    periodEnd: iso(start + 365 * DAY),
    retroactiveDate: iso(start - 730 * DAY),
    socialResponsibility: 1,
    liability: { perClaimLimitJpy: 100_000_000, periodLimitJpy: 100_000_000, deductibleJpy: 0 },
    responseCosts: { perIncidentLimitJpy: 50_000_000, periodLimitJpy: 50_000_000 },
    categories: {
      forensic_investigation: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: false },
      legal_counsel: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
      notification: { limitJpy: 5_000_000, payoutRatio: 1.0, consentRequired: false },
      apology_payment: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: true, perVictimCapJpy: 500 },
      call_center: { limitJpy: 5_000_000, payoutRatio: 0.9, consentRequired: false },
    },
    ...overrides,
  };
}

export function policyRecord(policyNumber: string, overrides: Record<string, unknown> = {}, now = Date.now()): PolicyRecord {
  return PolicyRecordSchema.parse({ ...policyBody(overrides, now), policyNumber });
}

/** An incident discovered an hour ago (`now` is the workflow's clock in time-skipping tests). */
export function reportBody(policyNumber: string, overrides: Record<string, unknown> = {}, now = Date.now()) {
  return {
    policyNumber,
    discoveredAt: iso(now - 3_600_000),
    occurredAt: iso(now - 3 * DAY),
    cause: 'device_loss',
    description: 'Sales laptop left on a train; customer list on it.',
    dataItems: ['name', 'address', 'phone'],
    affectedPersons: 1200,
    residency: { JP: 1150, EU: 30, 'US-CA': 20 },
    encrypted: false,
    circumstances: {
      naturalCatastrophe: false,
      warOrRiot: false,
      terrorism: false,
      directedByInsuredOfficers: false,
      knownBeforeInception: false,
    },
    contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
    ...overrides,
  };
}

export function report(policyNumber: string, overrides: Record<string, unknown> = {}): IncidentReport {
  return IncidentReportSchema.parse(reportBody(policyNumber, overrides));
}

export const actors = {
  insured: { name: 'insured-ins-001', role: 'insured', insuredId: 'ins-001' },
  otherInsured: { name: 'insured-ins-002', role: 'insured', insuredId: 'ins-002' },
  handler: { name: 'handler', role: 'handler', authorityLimitJpy: 1_000_000 },
  supervisor: { name: 'supervisor', role: 'supervisor', authorityLimitJpy: 50_000_000 },
  ops: { name: 'ops', role: 'ops' },
} satisfies Record<string, Actor>;

export const panel: PanelVendor[] = [
  { vendorId: 'counsel-a', role: 'counsel', name: 'Law Office A' },
  { vendorId: 'counsel-b', role: 'counsel', name: 'Law Office B' },
  { vendorId: 'forensics-a', role: 'forensics', name: 'Forensics A' },
  { vendorId: 'forensics-b', role: 'forensics', name: 'Forensics B' },
  { vendorId: 'print-a', role: 'print_and_mail', name: 'Print A' },
];

export function caseInput(caseId: string, policy: PolicyRecord, overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    caseId,
    report: report(policy.policyNumber),
    policy,
    reportedAt: new Date().toISOString(),
    reportedBy: actors.insured,
    requestHash: 'test',
    settings: DEFAULT_CASE_SETTINGS,
    trust: { keys: testSigner.trustedKeys },
    ...overrides,
  };
}
