/**
 * The affected-person upload: a CSV streamed through a byte limit into sealed storage, then attached to the case by
 * reference and counts only (the case never holds a row).
 */
import { personsListRef, personsListSummary } from '../domain/index.js';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream';
import type { Request, Response } from 'express';
import { importPersonsCsv, personsListKey, PersonsImportError, type EarlierWaveList } from '../storage/persons.js';
import { ATTACH_PERSONS, readModelFromMemo, type CaseView } from '../workflows/contract.js';
import { commandCase } from './case-commands.js';
import type { ApiContext } from './context.js';
import { actorOf, type Principal } from './principals.js';
import { HttpProblem } from './problem.js';
import { closedOrMissing, caseNotRunning, describeCase } from './tenancy.js';
import { ByteLimit } from './upload-limit.js';
import { caseTextLanguage, viewForReader } from './view-for-role.js';

export const DEFAULT_UPLOAD_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The lists a new upload is de-duplicated against: every wave of the case once its first campaign started (a later
 * list is a follow-up wave); none before (a list then replaces the first). The case refuses the list if its waves
 * changed meanwhile. Cases without waves (runs from before them) get none: they refuse a list once notices went out.
 */
function earlierWaves(caseId: string, view: CaseView | undefined): EarlierWaveList[] | undefined {
  const waves = view?.notifications?.waves;
  if (!waves || waves.every((w) => w.status === 'not_started')) return undefined;
  return waves.map((w) => ({ key: personsListKey(caseId, w.uploadId), uploadId: w.uploadId, accepted: w.total, checksum: w.checksum }));
}

export async function uploadPersons(ctx: ApiContext, req: Request, res: Response, principal: Principal, caseId: string): Promise<void> {
  const max = ctx.deps.limits?.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const tooLarge = () =>
    new HttpProblem(413, 'payload_too_large', { key: 'payload_too_large.list', params: { limit: max } }, undefined, { limit: max }, {
      Connection: 'close',
    });
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge();
  const d = await describeCase(ctx, principal, caseId);
  if (d.status.name !== 'RUNNING') throw caseNotRunning(caseId, d);

  const earlier = earlierWaves(caseId, readModelFromMemo(d.memo)?.view);
  const uploadId = `U${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
  const limiter = new ByteLimit(max);
  pipeline(req, limiter, () => undefined);
  let result;
  try {
    result = await importPersonsCsv(limiter, { store: ctx.deps.blobStore, keyring: ctx.deps.keyring }, {
      caseId,
      uploadId,
      ...(earlier ? { earlier } : {}),
      ...(ctx.deps.limits?.uploadMaxRows !== undefined ? { maxRows: ctx.deps.limits.uploadMaxRows } : {}),
    });
  } catch (err) {
    if (limiter.exceeded) throw tooLarge();
    if (err instanceof PersonsImportError) {
      throw new HttpProblem(422, 'persons_rejected', { key: `persons.${err.textKey}`, params: err.textParams }, undefined, {
        reason: err.code,
        ...err.details,
      });
    }
    throw err;
  }
  const { ref, errors, errorCount, encoding } = result;
  // What the uploader is told: the counts and checksum, not where the sealed list is stored.
  const counts = { total: ref.total, ...personsListSummary(ref) };
  if (ref.accepted === 0) {
    await ctx.deps.blobStore.delete(ref.key).catch(() => undefined);
    const allEarlier = (ref.duplicatesRemoved ?? 0) > 0 && ref.rejected + ref.duplicates + ref.duplicatesRemoved! === ref.total;
    throw new HttpProblem(422, 'persons_rejected', { key: allEarlier ? 'persons_rejected.all_in_earlier_waves' : 'persons_rejected.no_row' }, undefined, {
      ref: counts,
      rows: errors,
      errorCount,
    });
  }
  let view: CaseView;
  try {
    view = await commandCase(ctx, caseId, {
      commandId: `persons:${uploadId}`,
      action: ATTACH_PERSONS,
      request: { actor: actorOf(principal), ref: personsListRef(ref) },
    });
  } catch (err) {
    // Refused or no such case: the sealed list was stored for nothing, and leaving it would keep personal data no case
    // refers to. A command still pending will attach it, so that list stays.
    if (!(err instanceof HttpProblem && err.code === 'command_pending')) {
      await ctx.deps.blobStore.delete(ref.key).catch(() => undefined);
    }
    return closedOrMissing(ctx, caseId, err, principal);
  }
  ctx.changes.bump(caseId);
  // Audit: who put personal data into the case, with counts only (never a row's values).
  ctx.log.info(
    {
      audit: 'affected_persons.upload',
      principal: principal.name,
      role: principal.role,
      caseId,
      uploadId: ref.uploadId,
      total: ref.total,
      accepted: ref.accepted,
      duplicates: ref.duplicates,
      rejected: ref.rejected,
      ...(ref.duplicatesRemoved !== undefined ? { duplicatesRemoved: ref.duplicatesRemoved, earlierWaves: ref.earlierWaves?.length ?? 0 } : {}),
    },
    'audit: affected-person list uploaded',
  );
  res.vary('Authorization');
  const lang = caseTextLanguage(req, res);
  res.status(200).json({ ref: counts, encoding, errors, errorCount, case: viewForReader(view, principal.role, lang) });
}
