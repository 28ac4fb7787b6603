/**
 * A JSON response body as the tests read it: untyped, like supertest's `body`, and checked field by field by the
 * assertions (the lint's unsafe-`any` rules are off for test/ for the same reason, see eslint.config.js).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one explicit `any` of the tests: untyped response JSON
export type Json = any;
