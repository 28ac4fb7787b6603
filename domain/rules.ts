/**
 * The domain without its zod schemas, for workflow code: pure modules that build nothing when evaluated, so that
 * workers preload them once and share them across workflows (`PRELOADED_WORKFLOW_MODULES` in main/runtime.ts).
 * Nothing here imports zod or a schema module (domain/schemas.ts, `*-schemas.ts`) other than by type: the SDK freezes
 * what a preloaded module exports (so nothing may mutate it either), and a frozen zod schema fails at its first parse.
 * Workflows reach the schemas through workflows/preloaded/schemas.ts; all other code imports domain/index.ts.
 */
export * from './vocabulary.js';
export * from './time.js';
export * from './format.js';
export * from './limits.js';
export * from './exposure.js';
export * from './severity.js';
export * from './coverage.js';
export * from './obligations.js';
export * from './reserve.js';
export * from './triage.js';
export * from './payout.js';
export * from './permissions.js';
export * from './persons-list.js';
export * from './findings.js';
export * from './case-actions.js';
export * from './usage.js';
export * from './business-days.js';
export * from './consultation.js';
export * from './quote.js';
export * from './prevention.js';
export * from './filings.js';
export * from './notice-draft.js';
export * from './vendor-services.js';
export * from './credit-monitoring.js';
export * from './prevention-plan.js';
