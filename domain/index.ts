export * from './rules.js';
export * from './schemas.js';
export * from './vocabulary-schemas.js';
export * from './consultation-schemas.js';
export * from './quote-schemas.js';
export * from './prevention-schemas.js';
export * from './filings-schemas.js';
export * from './notice-draft-schemas.js';
