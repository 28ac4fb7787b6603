import { describe, expect, it } from 'vitest';
import { creditMonitoringEvidence, creditMonitoringOffered, enrolmentRefusal, financialRiskItems, refreshCreditMonitoring, type CreditMonitoringService } from '../../domain/index.js';

const T1 = '2026-11-20T00:00:00.000Z';
const T2 = '2026-11-25T00:00:00.000Z';

describe('credit monitoring', () => {
  it.each([
    [['name', 'address', 'phone'], false, []],
    [['name', 'credit_card'], true, ['credit_card']],
    [['bank_account_with_pin'], true, ['bank_account_with_pin']],
    [['online_credentials', 'email'], true, ['online_credentials']],
    [['credit_blacklist', 'medical_record'], true, ['credit_blacklist']],
    [['medical_record', 'religion'], false, []],
    [['not_a_code'], false, []],
    [[], false, []],
  ] as const)('items %j: offered %s', (items, offered, risky) => {
    expect(creditMonitoringOffered(items)).toBe(offered);
    expect(financialRiskItems(items)).toEqual(risky);
  });

  it.each([
    ['none before, no risk', undefined, ['name'], { offered: false, enrolled: 0 }],
    ['none before, card data', undefined, ['name', 'credit_card'], { offered: true, enrolled: 0, offeredAt: T2, items: ['credit_card'] }],
    [
      'an offer stands when findings drop the card data',
      { offered: true, enrolled: 4, offeredAt: T1, items: ['credit_card'], campaigns: [1] },
      ['name'],
      { offered: true, enrolled: 4, offeredAt: T1, items: ['credit_card'], campaigns: [1] },
    ],
    [
      'findings add an item: the items grow, the offer keeps its time',
      { offered: true, enrolled: 0, offeredAt: T1, items: ['credit_card'] },
      ['credit_card', 'bank_account_with_pin'],
      { offered: true, enrolled: 0, offeredAt: T1, items: ['credit_card', 'bank_account_with_pin'] },
    ],
  ] as const)('refresh: %s', (_why, before, items, after) => {
    expect(refreshCreditMonitoring(before && (structuredClone(before) as unknown as CreditMonitoringService), items, T2)).toEqual(after);
  });

  it.each([
    ['inv-1', 0, ''],
    ['inv-1', 1, 'inv-1; 1 credit-monitoring enrolment counted on the case'],
    ['  inv-1 ', 250, 'inv-1; 250 credit-monitoring enrolments counted on the case'],
    ['', 3, '3 credit-monitoring enrolments counted on the case'],
  ] as const)('evidence of %j with %i enrolments: %j', (given, enrolled, evidence) => {
    expect(creditMonitoringEvidence(given, enrolled)).toBe(evidence);
  });

  it.each([
    [undefined, 1, 'not_offered'],
    [{ offered: false, enrolled: 0 }, 1, 'not_offered'],
    [{ offered: true, enrolled: 0 }, 1, 'campaign_not_offering'],
    [{ offered: true, enrolled: 0, campaigns: [1, 3] }, 2, 'campaign_not_offering'],
    [{ offered: true, enrolled: 0, campaigns: [1, 3] }, 3, null],
  ] as const)('enrolment on %j with a code of campaign %i: %s', (service, campaignNo, refusal) => {
    expect(enrolmentRefusal(service && (structuredClone(service) as unknown as CreditMonitoringService), campaignNo)).toBe(refusal);
  });
});
