import { describe, expect, it } from 'vitest';
import { computeExposure, computeSeverity, identifiabilityOf, SEVERITY_BANDS, type Cause, type DataItem } from '../../domain/index.js';

describe('computeExposure (JNSA JO model)', () => {
  it.each([
    ['name + address', ['name', 'address'], 6_000],
    ['name + address + credit card', ['name', 'address', 'credit_card'], 78_000],
    ['name + address + religion', ['name', 'address', 'religion'], 303_000],
    ['name + address + medical records', ['name', 'address', 'medical_record'], 303_000],
  ] as [string, DataItem[], number][])("domain.md's worked example: %s = %i 円 per person", (_w, items, perPerson) => {
    const e = computeExposure({ dataItems: items, persons: 1, socialResponsibility: 1 });
    expect(e.perPersonJpy).toBe(perPerson);
    expect(e.totalJpy).toBe(perPerson);
  });

  it('multiplies by persons, social responsibility and response quality and shows the factors', () => {
    const e = computeExposure({
      dataItems: ['name', 'address', 'credit_card'],
      persons: 1200,
      socialResponsibility: 2,
      responseQuality: 2,
    });
    expect(e.perPersonJpy).toBe(78_000 * 4);
    expect(e.totalJpy).toBe(78_000 * 4 * 1200);
    expect(e.factors).toEqual({ x: 1, y: 3, identifiability: 6, socialResponsibility: 2, responseQuality: 2 });
    expect(e.explanation.join(' ')).toContain('312,000 円');
  });

  it('matches the contract case view example (1,200 persons, name/address/phone)', () => {
    const e = computeExposure({ dataItems: ['name', 'address', 'phone'], persons: 1200, socialResponsibility: 1 });
    expect(e).toMatchObject({ perPersonJpy: 6000, persons: 1200, totalJpy: 7_200_000 });
  });

  it.each([
    [['name', 'address'], 6],
    [['name'], 3],
    [['name', 'phone'], 3],
    [['address', 'phone'], 3],
    [['address'], 1],
    [['phone', 'email'], 1],
    [['credit_card'], 1],
  ] as [DataItem[], number][])('identifiability of %j is %i', (items, value) => {
    expect(identifiabilityOf(items).value).toBe(value);
  });

  it('gives zero for no items instead of inventing a figure', () => {
    expect(computeExposure({ dataItems: [], persons: 10, socialResponsibility: 1 }).totalJpy).toBe(0);
  });
});

describe('computeSeverity', () => {
  it.each([
    [0, ['name'], 'misdelivery', false, 'low'],
    [1_000, ['name', 'address'], 'misdelivery', false, 'low'],
    [1_001, ['name', 'address'], 'misdelivery', false, 'medium'],
    [9_999, ['name'], 'device_loss', false, 'medium'],
    [10_000, ['name'], 'device_loss', false, 'high'],
    [100_000, ['name'], 'device_loss', false, 'critical'],
    [10, ['name', 'medical_history'], 'misdelivery', false, 'medium'],
    [10, ['credit_card'], 'external_attack', false, 'high'],
    [5_000, ['credit_card'], 'web_skimming', false, 'critical'],
    [100_000, ['credit_card'], 'external_attack', false, 'critical'],
    [1_001, ['name'], 'device_loss', true, 'low'],
    [10, ['name'], 'device_loss', true, 'low'],
    [50_000, ['religion'], 'insider_malicious', true, 'critical'],
  ] as [number, DataItem[], Cause, boolean, string][])(
    '%i persons, %j, %s, encrypted=%s → %s',
    (affectedPersons, dataItems, cause, encrypted, severity) => {
      const s = computeSeverity({ affectedPersons, dataItems, cause, encrypted });
      expect(s.severity).toBe(severity);
      expect(s.reasons.length).toBeGreaterThan(0);
    },
  );

  it('documents its bands as data', () => {
    expect(SEVERITY_BANDS.byPersons.map((b) => b.severity)).toEqual(['critical', 'high', 'medium', 'low']);
  });
});
