/**
 * The search index's own bookkeeping, against a visibility that answers what the test says: a case this process files
 * is searchable at once by its description, whatever a refresh listed of it a moment before.
 */
import { describe, expect, it } from 'vitest';
import { CaseSearchIndex, type IndexContext } from '../../api/search-index.js';
import { caseWorkflowId } from '../../workflows/contract.js';

/** A visibility listing the given cases, started now, with no memo (their first workflow task has not run yet). */
function listing(caseIds: () => string[]): IndexContext {
  const now = Date.now();
  return {
    client: {
      workflowService: {
        listWorkflowExecutions: () =>
          Promise.resolve({
            executions: caseIds().map((id) => ({
              execution: { workflowId: caseWorkflowId(id) },
              startTime: { seconds: Math.floor(now / 1000), nanos: 0 },
            })),
          }),
      },
    },
    deps: { temporal: { namespace: 'default' } },
    log: { warn: () => undefined },
  } as unknown as IndexContext;
}

async function built(index: CaseSearchIndex): Promise<void> {
  index.ready();
  for (let i = 0; i < 100 && !index.usable; i++) await new Promise((r) => setTimeout(r, 5));
  expect(index.usable).toBe(true);
}

const filing = (caseId: string, description: string) => ({
  caseId,
  insuredId: 'ins-001',
  policyNumber: 'PL-1',
  insuredName: '株式会社サンプル',
  description,
});

describe('CaseSearchIndex', () => {
  it('a case filed here is found by its description even when a refresh listed it first, without its facts', async () => {
    const index = new CaseSearchIndex(listing(() => ['CLISTEDFIRST']));
    await built(index);
    expect(index.match('printer', {})).toEqual([]);
    index.filed(filing('CLISTEDFIRST', 'Printer jam late-1'), Date.now());
    expect(index.match('printer jam', {})).toEqual(['CLISTEDFIRST']);
    expect(index.facts('CLISTEDFIRST')).toEqual({ insuredName: '株式会社サンプル', description: 'Printer jam late-1' });
  });

  it('a case filed before the refresh lists it keeps its facts through that refresh', async () => {
    let listed: string[] = [];
    const index = new CaseSearchIndex(listing(() => listed), { refreshMs: 0 });
    await built(index);
    index.filed(filing('CFILEDFIRST', 'Lost laptop late-2'), Date.now());
    listed = ['CFILEDFIRST'];
    index.ready(); // a refresh that lists the case without its memo
    await new Promise((r) => setTimeout(r, 20));
    expect(index.match('laptop', {})).toEqual(['CFILEDFIRST']);
    expect(index.match('株式会社', { insuredId: 'ins-001' })).toEqual(['CFILEDFIRST']);
  });

  it('names, ids and policy numbers match folded: full-width letters and case do not matter', async () => {
    const index = new CaseSearchIndex(listing(() => []));
    await built(index);
    index.filed(filing('CFOLD', 'USBメモリ紛失'), Date.now());
    expect(index.match('ｕｓｂ', {})).toEqual(['CFOLD']);
    expect(index.match('cfold', {})).toEqual(['CFOLD']);
    expect(index.match('pl-1', { policyNumber: 'PL-2' })).toEqual([]);
  });
});
