/**
 * Who the caller is and the vocabulary a client needs to label what the API answers. The web pages use both (the
 * login page learns the role from `/v1/me`, the forms their options and labels from `/v1/vocabulary`), and so can
 * any integrator: nothing here is private to the pages.
 */
import { z } from 'zod';
import { ACTION_ROLES } from '../domain/permissions.js';
import { PREVENTION_MEASURE_LABELS } from '../domain/prevention-plan.js';
import {
  ACTIONS,
  CASE_STATUSES,
  CAUSES,
  COST_CATEGORIES,
  COST_CATEGORY_LABELS,
  DATA_ITEMS,
  DATA_ITEM_GROUPS,
  NOTICE_LANGUAGES,
  REGIMES,
  RESIDENCY_KEYS,
  SEVERITIES,
  WRONGFUL_PURPOSE_CAUSES,
  PREVENTION_MEASURES,
  PREVENTION_MEASURE_STATUSES,
} from '../domain/vocabulary.js';
import type { ApiContext } from './context.js';
import { problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';

export const MeSchema = z.object({
  name: z.string(),
  role: z.enum(['insured', 'handler', 'supervisor', 'ops', 'admin']),
  insuredId: z.string().nullable(),
  authorityLimitJpy: z.number().int().nullable(),
  via: z.enum(['key', 'oidc']),
});

const Labelled = z.object({ code: z.string(), label: z.string(), labelJa: z.string() });

export const VocabularySchema = z.object({
  dataItemGroups: z.array(z.string()),
  dataItems: z.array(
    Labelled.extend({
      group: z.string(),
      x: z.number().int(),
      y: z.number().int(),
      sensitive: z.boolean(),
      financialRisk: z.boolean(),
    }),
  ),
  causes: z.array(z.object({ code: z.string(), wrongfulPurpose: z.boolean() })),
  costCategories: z.array(Labelled),
  residencyKeys: z.array(z.string()),
  regimes: z.array(z.string()),
  statuses: z.array(z.string()),
  severities: z.array(z.string()),
  noticeLanguages: z.array(z.string()),
  preventionMeasures: z.array(z.object({ code: z.string(), label: z.string(), labelJa: z.string() })),
  preventionMeasureStatuses: z.array(z.string()),
  actions: z.array(z.object({ action: z.string(), roles: z.array(z.string()) })),
});

/** Built once: the vocabulary is code, it does not change while the process runs. */
function vocabulary(): z.infer<typeof VocabularySchema> {
  return {
    dataItemGroups: [...DATA_ITEM_GROUPS],
    dataItems: Object.entries(DATA_ITEMS).map(([code, i]) => ({
      code,
      label: i.label,
      labelJa: i.labelJa,
      group: i.group,
      x: i.x,
      y: i.y,
      sensitive: i.sensitive,
      financialRisk: i.financialRisk,
    })),
    causes: CAUSES.map((code) => ({ code, wrongfulPurpose: WRONGFUL_PURPOSE_CAUSES.includes(code) })),
    costCategories: COST_CATEGORIES.map((code) => ({ code, ...COST_CATEGORY_LABELS[code] })),
    residencyKeys: [...RESIDENCY_KEYS],
    regimes: [...REGIMES],
    statuses: [...CASE_STATUSES],
    severities: [...SEVERITIES],
    noticeLanguages: [...NOTICE_LANGUAGES],
    preventionMeasures: PREVENTION_MEASURES.map((code) => ({ code, label: PREVENTION_MEASURE_LABELS[code].en, labelJa: PREVENTION_MEASURE_LABELS[code].ja })),
    preventionMeasureStatuses: [...PREVENTION_MEASURE_STATUSES],
    actions: ACTIONS.map((action) => ({ action, roles: [...ACTION_ROLES[action]] })),
  };
}

export function meRoutes(_ctx: ApiContext): RouteDef[] {
  const vocab = JSON.stringify(vocabulary());
  return [
    defineRoute({
      method: 'get',
      path: '/v1/me',
      operationId: 'getMe',
      summary: 'Who am I',
      description: 'The authenticated principal: name, role, the insured it is bound to, and its payout authority.',
      tags: ['principals'],
      auth: { roles: ['insured', 'handler', 'supervisor', 'ops', 'admin'] },
      responses: {
        200: { description: 'The caller', schema: MeSchema, name: 'Me' },
        401: problemResponse('No or unknown key'),
      },
      handle: (_req, res, { principal: p }) => {
        res.set('Cache-Control', 'private, no-store').json({
          name: p.name,
          role: p.role,
          insuredId: p.insuredId ?? null,
          authorityLimitJpy: p.authorityLimitJpy ?? null,
          via: p.via,
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/vocabulary',
      operationId: 'getVocabulary',
      summary: 'Codes and labels',
      description:
        'The contract’s codes with their English and Japanese labels: data items grouped as the seed article groups ' +
        'them (basic, attributes, physical, genetic, behavioural) with their EP cell and flags, causes, cost ' +
        'categories, residency keys, regimes, statuses, severities, and which roles may run each case action.',
      tags: ['principals'],
      auth: 'public',
      responses: { 200: { description: 'The vocabulary', schema: VocabularySchema, name: 'Vocabulary' } },
      handle: (_req, res) => {
        res.set('Cache-Control', 'public, max-age=300').type('application/json').send(vocab);
      },
    }),
  ];
}
