/**
 * The zod schemas workflow code validates with (the case's report, its commands and notes, the consultation's advice
 * and close), built once per worker rather than in every workflow task.
 *
 * Workers keep no workflow cache, so every task evaluates afresh each workflow module that is not preloaded: building
 * these schemas and zod's work on their first parse were most of the domain's cost, about 20 of a young case's 44 ms
 * CPU per replay (bench/replay-cost.ts). They cannot simply be preloaded: the SDK deep-freezes everything a preloaded
 * module exports, and zod defines properties on a schema after construction (`safeParse` on first access, a compiled
 * parser on first parse), which a frozen schema refuses. So this module, which is preloaded (main/runtime.ts), imports
 * the schema modules by type only and requires them on the first call. That is in a workflow, after the freeze: they
 * are evaluated into that workflow's module cache, never frozen, and the closure below keeps them for every later
 * workflow of the worker, which requires nothing.
 *
 * Sharing them is safe for determinism, as for the signature memo (./signatures.ts): a schema is a pure validator whose
 * answer depends only on the value parsed, and what zod caches on it (the properties, the compiled parser) depends on
 * the schema alone, so a shared schema answers as a fresh one would, in any workflow, on any worker. zod copies a
 * default on every parse, so no parsed value is shared either. Like every preloaded module, this one holds no
 * per-workflow state and does not import `@temporalio/workflow`.
 */
import type * as Consultation from '../../domain/consultation-schemas.js';
import type * as Edge from '../../domain/schemas.js';

type DomainSchemas = Pick<typeof Edge, 'ACTION_SCHEMAS' | 'IncidentReportSchema' | 'NoteBodySchema'> &
  Pick<typeof Consultation, 'AdviseBodySchema' | 'CloseConsultationBodySchema'>;

let built: DomainSchemas | undefined;

/** The schemas, built on the first call in this worker (webpack's `require`: workflow code runs bundled). */
export function domainSchemas(): DomainSchemas {
  if (built === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports -- a static import would build them at preload, frozen */
    const { ACTION_SCHEMAS, IncidentReportSchema, NoteBodySchema } = require('../../domain/schemas.js') as typeof Edge;
    const { AdviseBodySchema, CloseConsultationBodySchema } = require('../../domain/consultation-schemas.js') as typeof Consultation;
    /* eslint-enable @typescript-eslint/no-require-imports */
    built = { ACTION_SCHEMAS, IncidentReportSchema, NoteBodySchema, AdviseBodySchema, CloseConsultationBodySchema };
  }
  return built;
}
