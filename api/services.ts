/**
 * The services run for a case's persons: the call centre's FAQ (`GET /v1/cases/{caseId}/faq`), drafted from the case
 * with the domain function the case briefs the call centre with (`draftFaq`), so what the API shows is what the
 * vendor was told (give or take what changed since: the FAQ follows the case). Reads never need a worker.
 */
import { z } from 'zod';
import { FAQ_TOPICS, NOTICE_LANGUAGES, draftFaq, faqFactsOf } from '../domain/index.js';
import type { CaseView } from '../workflows/contract.js';
import { describeCaseModel, readView } from './case-reads.js';
import type { ApiContext } from './context.js';
import { readPolicy } from './policy-reads.js';
import type { Principal } from './principals.js';
import { problemResponse } from './problem.js';
import { defineRoute, type RouteDef } from './route-kit.js';
import { CaseParamsSchema } from './schemas.js';
import { assertMayReadDescribed } from './tenancy.js';

export const FAQ_READERS = ['insured', 'handler', 'supervisor', 'ops', 'admin'] as const;

const FaqQuerySchema = z.object({ lang: z.enum(NOTICE_LANGUAGES).default('ja') }).strict();

const FaqSchema = z.object({
  caseId: z.string(),
  lang: z.enum(NOTICE_LANGUAGES),
  callCenter: z.object({ vendorId: z.string(), phone: z.string().nullable(), enquiries: z.number().int() }).nullable(),
  entries: z.array(z.object({ topic: z.enum(FAQ_TOPICS), question: z.string(), answer: z.string() })),
});

async function readCase(ctx: ApiContext, principal: Principal, caseId: string): Promise<CaseView> {
  const described = await describeCaseModel(ctx, caseId);
  assertMayReadDescribed(principal, caseId, described.description);
  return described.model?.view ?? readView(ctx, caseId);
}

export function serviceRoutes(ctx: ApiContext): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/cases/:caseId/faq',
      operationId: 'getCaseFaq',
      summary: 'The call centre’s FAQ for a case',
      description:
        'The questions the persons of the case ask and their answers, in `lang` (`ja` by default, or `en`): what happened, ' +
        'which items leaked, what to do, the apology (once the insurer consented to apology payments), and the desk to call ' +
        '(the call centre’s number once one is engaged). Drafted from the case’s facts only: the cause and the data items ' +
        'in words and the number of persons, never the insured’s own description. The call centre gets it, in every notice ' +
        'language, with its engagement.',
      tags: ['services'],
      auth: { roles: FAQ_READERS },
      params: CaseParamsSchema,
      query: FaqQuerySchema,
      responses: {
        200: { description: 'The FAQ', schema: FaqSchema, name: 'CaseFaq' },
        400: problemResponse('Not a case id, or lang not ja or en'),
        401: problemResponse('No or unknown key'),
        404: problemResponse('No such case (or another insured’s)'),
        503: problemResponse('The case has not written its first view yet (case_starting), or Temporal unreachable'),
      },
      handle: async (_req, res, { params: { caseId }, query: { lang }, principal }) => {
        const view = await readCase(ctx, principal, caseId);
        const policy = (await readPolicy(ctx, view.policyNumber))?.policy;
        const faq = draftFaq(faqFactsOf(view, policy ?? { insuredName: view.insuredName ?? '', categories: {} }), lang);
        const line = view.services?.callCenter;
        res.vary('Authorization');
        res.json({
          caseId,
          lang,
          callCenter: line ? { vendorId: line.vendorId, phone: line.phone, enquiries: line.enquiries } : null,
          entries: faq.entries,
        });
      },
    }),
  ];
}
