/**
 * `POST /v1/cases` answers with a view computed from the domain rules (api/first-view.ts) instead of waiting for the
 * worker. This holds that view to the one the workflow itself answers once it has run its intake, for a spread of
 * reports, field by field (vendors, advice and the like come later from activities and are not part of intake).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstView } from '../../api/first-view.js';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, policyRecord, reportBody, report, uniqueId } from '../support/fixtures.js';
import { DEFAULT_CASE_SETTINGS } from '../../workflows/contract.js';

let stack: Stack;
let policyNumber: string;

beforeAll(async () => {
  stack = await startStack();
  policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
});
afterAll(async () => {
  await stack?.stop();
});

const INTAKE_FIELDS = [
  'caseId', 'status', 'policyNumber', 'insuredId', 'reportedAt', 'discoveredAt', 'occurredAt', 'cause', 'dataItems',
  'affectedPersons', 'severity', 'severityReasons', 'coverage', 'exposure', 'reserve', 'obligations', 'consents',
  'notice', 'affectedPersonsList', 'notifications', 'settlement', 'payouts', 'assignedTo', 'nextDeadline', 'overdue',
] as const;

describe('the computed first view', () => {
  const variants: Record<string, Record<string, unknown>> = {
    'the contract example': {},
    'sensitive data, wrongful purpose, EU and US residents': {
      cause: 'external_attack',
      dataItems: ['name', 'medical_history', 'credit_card'],
      affectedPersons: 40_000,
      residency: { JP: 30_000, EU: 5_000, 'US-CA': 4_000, SG: 1_000 },
    },
    'encrypted, a handful of persons, occurrence unknown': {
      encrypted: true,
      affectedPersons: 3,
      dataItems: ['email'],
      occurredAt: undefined,
      residency: undefined,
    },
    'known before inception (provisional or denied)': {
      circumstances: { naturalCatastrophe: false, warOrRiot: false, directedByInsuredOfficers: false, knownBeforeInception: true },
    },
  };

  for (const [name, overrides] of Object.entries(variants)) {
    it(`equals the workflow's own view: ${name}`, async () => {
      const body = JSON.parse(JSON.stringify(reportBody(policyNumber, overrides)));
      const created = await as(stack, 'handler')('POST', '/v1/cases', body);
      expect(created.status).toBe(201);
      const read = await as(stack, 'handler')('GET', `/v1/cases/${created.json.caseId}`);
      expect(read.status).toBe(200);
      const pick = (v: Record<string, unknown>) => Object.fromEntries(INTAKE_FIELDS.map((k) => [k, v[k]]));
      expect(pick(created.json as Record<string, unknown>)).toEqual(pick(read.json as Record<string, unknown>));
    });
  }

  it('leaves a case denied at intake to the workflow', () => {
    const input = {
      caseId: 'C1',
      report: report('PL-1', { discoveredAt: '2001-01-01T00:00:00Z', occurredAt: '2000-12-01T00:00:00Z' }),
      policy: policyRecord('PL-1'),
      reportedAt: new Date().toISOString(),
      reportedBy: { name: 'handler', role: 'handler' as const },
      requestHash: 'h',
      settings: DEFAULT_CASE_SETTINGS,
    };
    expect(firstView(input)).toBeUndefined();
    expect(firstView({ ...input, report: report('PL-1') })?.status).toBe('response');
  });
});
