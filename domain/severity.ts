/**
 * Triage severity: how much attention and money a case is likely to need. Drives the reserve's call-centre, PR and
 * counsel figures and the handler queue. The bands are a product decision; they lean on the legal thresholds so
 * that a case which is reportable on count alone is never `low`.
 */
import { groupDigits } from './format.js';
import { SEVERITIES, WRONGFUL_PURPOSE_CAUSES, summariseDataItems, type Cause, type DataItem, type Severity } from './vocabulary.js';

export const SEVERITY_BANDS = {
  /** Base band by number of affected persons, highest first. */
  byPersons: [
    { severity: 'critical', minPersons: 100_000, why: 'a mass breach: public attention and a large call-centre load' },
    { severity: 'high', minPersons: 10_000, why: 'tens of thousands of notices and enquiries' },
    { severity: 'medium', minPersons: 1_001, why: 'more than 1,000 persons: reportable under APPI on count alone' },
    { severity: 'low', minPersons: 0, why: 'up to 1,000 persons' },
  ],
  /** Sensitive (要配慮) or financial-risk data: reportable from one person and likelier to be misused. */
  raiseForSensitiveOrFinancial: 1,
  /** A wrongful-purpose cause (attack, theft, malicious insider, skimming): the data is in hostile hands. */
  raiseForWrongfulPurpose: 1,
  /** All data strongly encrypted: misuse is unlikely unless the key leaked too, so one band lower, never below low. */
  lowerForEncrypted: 1,
} as const satisfies {
  byPersons: readonly { severity: Severity; minPersons: number; why: string }[];
  raiseForSensitiveOrFinancial: number;
  raiseForWrongfulPurpose: number;
  lowerForEncrypted: number;
};

export interface SeverityInput {
  affectedPersons: number;
  dataItems: readonly DataItem[];
  cause: Cause;
  encrypted: boolean;
}

/** A severity band and, in order, why. */
export interface SeverityAssessment {
  severity: Severity;
  reasons: string[];
}

export function computeSeverity(input: SeverityInput): SeverityAssessment {
  const base =
    SEVERITY_BANDS.byPersons.find((b) => input.affectedPersons >= b.minPersons) ??
    SEVERITY_BANDS.byPersons[SEVERITY_BANDS.byPersons.length - 1]!;
  let level = SEVERITIES.indexOf(base.severity);
  const reasons = [`${groupDigits(input.affectedPersons)} affected persons: ${base.severity} (${base.why}).`];

  const data = summariseDataItems(input.dataItems);
  if (data.sensitive || data.financialRisk) {
    level += SEVERITY_BANDS.raiseForSensitiveOrFinancial;
    const what = [data.sensitive ? 'sensitive data (要配慮個人情報)' : '', data.financialRisk ? 'financial-risk data' : '']
      .filter(Boolean)
      .join(' and ');
    reasons.push(`Raised one band: ${what} leaked.`);
  }
  if (WRONGFUL_PURPOSE_CAUSES.includes(input.cause)) {
    level += SEVERITY_BANDS.raiseForWrongfulPurpose;
    reasons.push(`Raised one band: cause ${input.cause} suggests a wrongful purpose (the data is in hostile hands).`);
  }
  if (input.encrypted) {
    level -= SEVERITY_BANDS.lowerForEncrypted;
    reasons.push('Lowered one band: all leaked data was strongly encrypted.');
  }
  const clamped = Math.min(SEVERITIES.length - 1, Math.max(0, level));
  const severity = SEVERITIES[clamped]!;
  if (clamped !== level) reasons.push(`Kept within the scale: ${severity}.`);
  reasons.push(`Severity: ${severity}.`);
  return { severity, reasons };
}
