/**
 * Credit monitoring for the affected persons (domain.md 8b): offered in the notice when any leaked item carries the
 * financial-risk flag (card numbers, bank credentials, online credentials, a credit black-list); each person gets a
 * single-use enrolment code (lib/enrolment-codes.ts); the case counts enrolments, and that count is the evidence of
 * the `credit_monitoring` cost line. Pure: the case workflow and the API both use these rules.
 */
import { DATA_ITEMS, type DataItemInfo } from './vocabulary.js';

/** What the case view shows (`services.creditMonitoring`). */
export interface CreditMonitoringService {
  offered: boolean;
  enrolled: number;
  /** When the case first offered it (the financial-risk items became known). */
  offeredAt?: string;
  /** The financial-risk items that made the offer (codes). */
  items?: string[];
  lastEnrolledAt?: string;
  /** The notice campaigns whose notices carried enrolment codes: only their codes may enrol. */
  campaigns?: number[];
}

/** The leaked items that carry the financial-risk flag, in the order given. Unknown codes carry no flag. */
export function financialRiskItems(dataItems: readonly string[]): string[] {
  return dataItems.filter((i) => (DATA_ITEMS as Record<string, DataItemInfo>)[i]?.financialRisk === true);
}

/** Credit monitoring is offered when any leaked item carries the financial-risk flag. */
export function creditMonitoringOffered(dataItems: readonly string[]): boolean {
  return financialRiskItems(dataItems).length > 0;
}

/**
 * The service after the facts changed. An offer once made stands (persons may have been told of it in a notice), so a
 * later finding without financial-risk items never withdraws it; the items only grow.
 */
export function refreshCreditMonitoring(
  before: CreditMonitoringService | undefined,
  dataItems: readonly string[],
  now: string,
): CreditMonitoringService {
  const items = financialRiskItems(dataItems);
  const known = before?.items ?? [];
  const merged = [...known, ...items.filter((i) => !known.includes(i))];
  const offered = (before?.offered ?? false) || items.length > 0;
  return {
    offered,
    enrolled: before?.enrolled ?? 0,
    ...(offered ? { offeredAt: before?.offeredAt ?? now, items: merged } : {}),
    ...(before?.lastEnrolledAt ? { lastEnrolledAt: before.lastEnrolledAt } : {}),
    ...(before?.campaigns ? { campaigns: [...before.campaigns] } : {}),
  };
}

/**
 * The evidence a `credit_monitoring` cost line cites: the reference it came with (the vendor's invoice, the insured's
 * receipt) and the enrolments counted on the case. Empty when nobody has enrolled: with no enrolment there is nothing
 * the service was provided to, so the line is held for evidence (`evidence_missing`) until the first one.
 */
export function creditMonitoringEvidence(given: string, enrolled: number): string {
  if (enrolled <= 0) return '';
  const count = `${enrolled} credit-monitoring enrolment${enrolled === 1 ? '' : 's'} counted on the case`;
  return given.trim() ? `${given.trim()}; ${count}` : count;
}

/** Why a code of campaign `campaignNo` may not enrol on this service, or null when it may. */
export function enrolmentRefusal(service: CreditMonitoringService | undefined, campaignNo: number): 'not_offered' | 'campaign_not_offering' | null {
  if (!service?.offered) return 'not_offered';
  if (!(service.campaigns ?? []).includes(campaignNo)) return 'campaign_not_offering';
  return null;
}

/** Who may record an enrolment on a person's behalf: the insurer's desk (a person who phones), never the insured. */
export const ENROLMENT_RECORDERS = ['handler', 'supervisor'] as const;
