/**
 * The case workflow's public contract: ids, task queue, search attributes, messages and the shapes they carry.
 * Imported by the workflow itself, the worker and the API, so it holds no code with side effects.
 */
export * from './contract/ids.js';
export * from './contract/case.js';
export * from './contract/desk.js';
export * from './contract/filings.js';
export * from './contract/notification.js';
export * from './contract/settlement.js';
export * from './contract/services.js';
export * from './contract/vendors.js';
export * from './contract/messages.js';
export * from './contract/proof.js';
export * from './contract/read-model.js';
