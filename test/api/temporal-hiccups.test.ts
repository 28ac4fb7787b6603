import { describe, expect, it } from 'vitest';
import { ServiceError } from '@temporalio/client';
import { toProblem } from '../../api/app.js';

/** A gRPC failure as the Temporal client reports it: a ServiceError whose cause carries the status code. */
function serviceError(code: number, message: string): ServiceError {
  return new ServiceError(`Failed to query Workflow: ${code} ${message}`, { cause: Object.assign(new Error(message), { code, details: message, metadata: {} }) });
}

describe('Temporal failures as problems', () => {
  it.each([
    [1, 'CANCELLED', 503],
    [4, 'DEADLINE_EXCEEDED', 503],
    [8, 'RESOURCE_EXHAUSTED', 503],
    [14, 'UNAVAILABLE', 503],
    [3, 'INVALID_ARGUMENT', 400],
    [13, 'INTERNAL', 500],
  ])('gRPC %i %s answers %i', (code, name, status) => {
    const p = toProblem(serviceError(code, name));
    expect(p.status).toBe(status);
    if (status === 503) expect(p.headers).toMatchObject({ 'Retry-After': '5' });
  });
});
