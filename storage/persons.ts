import { isUtf8 } from 'node:buffer';
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { BlobStore } from './blob-store.js';
import { createDecryptStream, createEncryptStream, type Keyring } from './crypto.js';
import type { PersonsListRef as DomainPersonsListRef } from '../domain/persons-list.js';

export type PersonLanguage = 'ja' | 'en';

export interface Person {
  /** Opaque and stable within a case: the same e-mail (or name + address) always yields the same id. */
  personId: string;
  name: string;
  email?: string;
  postalAddress?: string;
  language: PersonLanguage;
}

/** What workflows carry instead of the list itself (domain's reference), with the counts per notice language. */
export interface PersonsListRef extends DomainPersonsListRef {
  byLanguage: { ja: number; en: number };
}

/** Every row rule, for clients that must word each one (the report page's tables are checked against this list). */
export const PERSON_ROW_RULES = [
  'required',
  'too_long',
  'invalid_email',
  'email_or_address_required',
  'invalid_language',
  'too_many_columns',
  'line_too_long',
] as const;
export type PersonRowRule = (typeof PERSON_ROW_RULES)[number];

/**
 * One problem with one row. `row` counts as a spreadsheet does: the header is row 1, the first person row 2.
 * Never carries the offending value.
 */
export interface PersonRowError {
  row: number;
  column?: string;
  reason: PersonRowRule;
}

export const PERSONS_IMPORT_ERROR_CODES = ['too_many_rows', 'line_too_long', 'not_csv', 'missing_columns'] as const;
export type PersonsImportErrorCode = (typeof PERSONS_IMPORT_ERROR_CODES)[number];

/**
 * Why the file's text could not be read as CSV (`not_csv`, `line_too_long`): the rule, never the text.
 * - `encoding`: neither UTF-8 nor Shift_JIS (CP932) throughout: a cell that is neither, a file that mixes the two,
 *   UTF-16/32 with or without a BOM, binary, a NUL character
 * - `invalid_quote`: a double quote inside a cell that does not start with one (`小林"秘密子"`, `=HYPERLINK("…`)
 * - `text_after_quote`: something other than a comma or line break follows a quoted cell's closing quote
 * - `unclosed_quote`: a quoted cell runs to the end of the file
 * - `inconsistent_columns`: the parser found a row of another width where widths must agree
 * - `line_too_long`: a record so far over the line limit that reading on would buffer it without bound
 * - `duplicate_column`: the header names one column twice
 * - `empty`: no header row
 * - `malformed`: any other complaint of the CSV parser
 */
export const PERSONS_FILE_RULES = [
  'encoding',
  'invalid_quote',
  'text_after_quote',
  'unclosed_quote',
  'inconsistent_columns',
  'line_too_long',
  'duplicate_column',
  'empty',
  'malformed',
] as const;
export type PersonsFileRule = (typeof PERSONS_FILE_RULES)[number];

export interface PersonsImportErrorDetails {
  /** Set when the file's text could not be read (codes `not_csv` and `line_too_long`). */
  rule?: PersonsFileRule;
  /** Spreadsheet row (header = 1) of the record at fault, counted as `PersonRowError.row` is. */
  row?: number;
  /**
   * The parser's line count where it stopped (kept for clients of the earlier API). It counts CR and LF inside quoted
   * cells separately, so `row` is the place to show a person.
   */
  line?: number;
  /** The column at fault, when it is one of the list's columns (`name`, `email`, `postal_address`, `language`). */
  column?: string;
  limit?: number;
  columns?: string[];
}

/**
 * The upload as a whole was refused; nothing was stored. Message and details name the rule and the place (row, line,
 * column), never a value: the API sends both to the client (422 `persons_rejected`, `reason` = `code`, plus `details`).
 */
export class PersonsImportError extends Error {
  override readonly name = 'PersonsImportError';
  constructor(
    readonly code: PersonsImportErrorCode,
    message: string,
    readonly details: PersonsImportErrorDetails = {},
    /** The situation, for the API's words in the reader's language (`api/problem-text.ts` has one entry per key). */
    readonly textKey: PersonsImportTextKey = code !== 'not_csv' ? code : details.rule === 'encoding' ? 'encoding.neither' : (details.rule ?? 'malformed'),
    /** The template's parameters: places, limits and encoding names, never a value of the list. */
    readonly textParams: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/**
 * Every situation a refused upload is worded by: the codes and file rules, with the encoding rule told apart
 * (a UTF-32 mark, NUL bytes as in UTF-16 without a mark, a cell in neither encoding, two encodings mixed, broken UTF-16).
 */
export const PERSONS_IMPORT_TEXT_KEYS = [
  'too_many_rows',
  'missing_columns',
  'line_too_long',
  'invalid_quote',
  'text_after_quote',
  'unclosed_quote',
  'inconsistent_columns',
  'duplicate_column',
  'empty',
  'malformed',
  'encoding.foreign_bom',
  'encoding.no_bom_utf16',
  'encoding.neither',
  'encoding.mixed',
  'encoding.invalid_utf16',
] as const;
export type PersonsImportTextKey = (typeof PERSONS_IMPORT_TEXT_KEYS)[number];

/** Reading a stored list found it different from its reference. */
export class PersonsIntegrityError extends Error {
  override readonly name = 'PersonsIntegrityError';
  readonly code = 'persons_list_tampered';
}

export interface PersonsDeps {
  store: BlobStore;
  keyring: Keyring;
  /**
   * Secret for person ids. Without it one is derived from the keyring's last-listed key: rotation prepends the new
   * current key, so the last one is the oldest and ids stay the same across rotations until that key is retired.
   */
  personIdKey?: Buffer;
}

/** A stored list of an earlier wave of the same case, as its reference gives it. */
export type EarlierWaveList = Pick<PersonsListRef, 'key' | 'uploadId' | 'accepted' | 'checksum'>;

export interface ImportPersonsOptions {
  caseId: string;
  uploadId: string;
  /**
   * The case's earlier notification waves, in wave order: a person any of them holds (the same 名寄せ identity as
   * within one list) is left out of this one and counted in `duplicatesRemoved`. Each list is read and verified
   * against its checksum first; the reference names them in `earlierWaves`.
   */
  earlier?: readonly EarlierWaveList[];
  maxRows?: number;
  maxLineBytes?: number;
  maxErrors?: number;
}

/**
 * How the file's text was read. `shift_jis` is Windows-31J (CP932), what Japanese Excel writes for "CSV (comma
 * delimited)"; a file whose cells are all ASCII reads the same either way and is reported as `utf-8`.
 */
/** How a cell's bytes are read: UTF-8 (also a UTF-16 file, transcoded to UTF-8 on the way in) or Shift_JIS (CP932). */
export type PersonsFileEncoding = 'utf-8' | 'shift_jis';

/** The encoding of the file as uploaded, as the upload's answer names it. */
export const PERSONS_UPLOAD_ENCODINGS = ['utf-8', 'utf-8-bom', 'shift_jis', 'utf-16le', 'utf-16be'] as const;
export type PersonsUploadEncoding = (typeof PERSONS_UPLOAD_ENCODINGS)[number];

export interface ImportPersonsResult {
  ref: PersonsListRef;
  /** The file's encoding as uploaded: its byte order mark, or what its cells read as (UTF-8 when nothing tells). */
  encoding: PersonsUploadEncoding;
  /** The first `maxErrors` problems, in file order. */
  errors: PersonRowError[];
  /** All problems found, including those beyond `maxErrors`. */
  errorCount: number;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const NAME_MAX = 200;
const ADDRESS_MAX = 500;
const EMAIL_MAX = 254;
// Dots are allowed anywhere in the local part: older Japanese carrier addresses (docomo, au) such as
// `taro..yamada.@docomo.ne.jp` break RFC 5322 yet receive mail, and they are exactly the people a leak notice must reach.
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const BATCH_BYTES = 64 * 1024;

type Field = 'name' | 'email' | 'postalAddress' | 'language';

// Header cells are compared after NFKC, lower-casing and dropping spaces, hyphens and underscores, so `postal_address`,
// `postalAddress` and `Postal Address` all match; Japanese headings are accepted because insureds export from Japanese
// Excel.
const HEADER_ALIASES: Record<string, Field> = {
  name: 'name',
  氏名: 'name',
  名前: 'name',
  email: 'email',
  mail: 'email',
  emailaddress: 'email',
  メールアドレス: 'email',
  メール: 'email',
  postaladdress: 'postalAddress',
  address: 'postalAddress',
  住所: 'postalAddress',
  language: 'language',
  lang: 'language',
  言語: 'language',
};

const COLUMN_LABEL: Record<Field, string> = {
  name: 'name',
  email: 'email',
  postalAddress: 'postal_address',
  language: 'language',
};

export function personsListKey(caseId: string, uploadId: string): string {
  if (!ID_PATTERN.test(caseId)) throw new TypeError('caseId must match [A-Za-z0-9][A-Za-z0-9_-]{0,127}');
  if (!ID_PATTERN.test(uploadId)) throw new TypeError('uploadId must match [A-Za-z0-9][A-Za-z0-9_-]{0,127}');
  return `cases/${caseId}/persons/${uploadId}.ndjson.enc`;
}

function personIdSecret(deps: PersonsDeps): Buffer {
  if (deps.personIdKey) return deps.personIdKey;
  const ids = Object.keys(deps.keyring.keys);
  const anchor = deps.keyring.keys[ids[ids.length - 1] ?? ''];
  if (!anchor) throw new TypeError('keyring has no keys');
  return Buffer.from(hkdfSync('sha256', anchor, Buffer.alloc(0), 'breach-claims/person-id/v1', 32));
}

// Stored text keeps the insured's characters (a letter should print the address as given); only matching uses NFKC.
const collapse = (s: string): string => s.normalize('NFC').trim().replace(/\s+/gu, ' ');
export const normaliseEmail = (s: string): string => s.normalize('NFKC').trim().toLowerCase();
// The identity key drops whitespace altogether and folds dash look-alikes: 「山田 太郎」 and 「山田太郎」, or
// 「芝公園４－２－８」 and 「芝公園4‐2‐8」, are the same person on two lists, and merging the rare Latin-script pair that
// differs only by a space costs less than sending one person two notices.
const normaliseIdentityText = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, '')
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/gu, '-');

// Limits count characters as people do (code points); UTF-16 length is an upper bound, so most rows skip the count.
function codePoints(s: string, limit = 0): number {
  if (s.length <= limit) return s.length;
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function normaliseHeader(cell: string): string {
  return cell
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]+/gu, '');
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// Longest first: a UTF-32LE mark begins with the UTF-16LE one.
const BYTE_ORDER_MARKS: readonly (readonly [Buffer, 'utf-32' | 'utf-16le' | 'utf-16be'])[] = [
  [Buffer.from([0xff, 0xfe, 0x00, 0x00]), 'utf-32'],
  [Buffer.from([0x00, 0x00, 0xfe, 0xff]), 'utf-32'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];
const SAVE_AS_UTF8 = 'save the list as "CSV UTF-8"';

function notCsv(
  rule: PersonsFileRule,
  message: string,
  where: Omit<PersonsImportErrorDetails, 'rule'> = {},
  text?: { key: PersonsImportTextKey; params: Record<string, string | number> },
): PersonsImportError {
  const key = text?.key ?? (rule === 'encoding' ? 'encoding.neither' : rule);
  return new PersonsImportError('not_csv', message, { rule, ...where }, key, text?.params ?? placeParams(where.row, where.column));
}

const placeParams = (row: number | undefined, column: string | undefined): Record<string, string | number> =>
  row === undefined ? { place: 'a row' } : { place: place(row, column), row, ...(column === undefined ? {} : { column }) };

/** What the first bytes say about the file: a UTF-8 mark (dropped), a UTF-16 mark (the file is transcoded), or none. */
export type SourceMark = 'none' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

// A high surrogate at the end of a chunk waits for its low half in the next one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Not a byte of any UTF-8 text nor of Shift_JIS: a broken UTF-16 unit becomes this byte, so the cell holding it is
// refused with its row and column like any other cell that does not read.
const BROKEN = '\u0000BROKEN\u0000';
const BROKEN_BYTE = Buffer.from([0xff]);

/**
 * Looks at the first bytes only. A UTF-8 byte order mark (Excel's "CSV UTF-8" writes one; left in, it would make a
 * quoted first heading an invalid quote) is dropped and settles the cells as UTF-8. A UTF-16 mark (Excel's "Unicode
 * text", LibreOffice's UTF-16) makes the rest of the stream go through iconv-lite's UTF-16 decoder and out as UTF-8
 * bytes, so the CSV parser and the cell rules below see the same bytes as for a UTF-8 file; a broken unit (a lone
 * surrogate) becomes a byte no cell reads, refusing that cell with its place. UTF-32 is refused. UTF-16 without a mark
 * is not guessed (neither chardet nor jschardet detects it without one): its NUL bytes refuse it with row and column.
 */
function sourceGuard(onMark: (mark: SourceMark) => void): Transform {
  let head: Buffer | undefined = Buffer.alloc(0);
  let utf16: { decoder: ReturnType<typeof iconv.getDecoder>; pendingHigh: string } | undefined;

  const transcode = (chunk: Buffer | undefined): Buffer => {
    const u = utf16!;
    let text = u.pendingHigh + (chunk ? u.decoder.write(chunk) : (u.decoder.end() ?? ''));
    u.pendingHigh = '';
    if (chunk && /[\ud800-\udbff]$/.test(text)) {
      u.pendingHigh = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (!LONE_SURROGATE.test(text)) return Buffer.from(text, 'utf8');
    LONE_SURROGATE.lastIndex = 0;
    const parts = text.replace(LONE_SURROGATE, BROKEN).split(BROKEN);
    return Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part, 'utf8')] : [BROKEN_BYTE, Buffer.from(part, 'utf8')])));
  };

  const settle = (buf: Buffer): Buffer | PersonsImportError => {
    for (const [bom, encoding] of BYTE_ORDER_MARKS) {
      if (buf.length < bom.length || !buf.subarray(0, bom.length).equals(bom)) continue;
      if (encoding === 'utf-32') {
        return notCsv('encoding', `the upload is UTF-32 text; ${SAVE_AS_UTF8}`, { row: 1, line: 1 }, {
          key: 'encoding.foreign_bom',
          params: { encoding: 'UTF-32', row: 1 },
        });
      }
      onMark(encoding);
      // iconv-lite strips the mark itself (its default `stripBOM`).
      utf16 = { decoder: iconv.getDecoder(encoding), pendingHigh: '' };
      return transcode(buf);
    }
    if (!buf.subarray(0, 3).equals(UTF8_BOM)) {
      onMark('none');
      return buf;
    }
    onMark('utf-8-bom');
    return buf.subarray(3);
  };
  // The head is judged once: passed on as text, or the refusal.
  const release = (done: TransformCallback): void => {
    const out = settle(head!);
    head = undefined;
    if (out instanceof Error) done(out);
    else done(null, out);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (head === undefined) {
        done(null, utf16 ? transcode(chunk) : chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) {
        done();
        return;
      }
      release(done);
    },
    flush(done: TransformCallback) {
      if (head !== undefined && head.length > 0) {
        release((err, out?: Buffer) => {
          if (err) return done(err);
          done(null, utf16 && out ? Buffer.concat([out, transcode(undefined)]) : out);
        });
        return;
      }
      if (head === undefined && utf16) {
        const rest = transcode(undefined);
        done(null, rest.length > 0 ? rest : undefined);
        return;
      }
      done();
    },
  });
}

// `ignoreBOM`: a U+FEFF inside the file is a character of its cell (trimmed like a space), not something to drop.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Windows-31J (CP932): JIS X 0208 with the NEC row 13 (①, ㈱, №), the NEC-selected and IBM extensions (髙, 﨑, ⅰ) and
// the user-defined area as private-use characters, 0x5C as a backslash. Node's full ICU (the default build) decodes
// it under the WHATWG label; made once here, so a Node built without ICU fails at start rather than at the first
// Shift_JIS upload. `fatal`: unassigned codes and a lead byte without its trail byte refuse the cell.
const strictCp932 = new TextDecoder('windows-31j', { fatal: true });

function cp932(cell: Uint8Array): string | undefined {
  try {
    return strictCp932.decode(cell);
  } catch {
    return undefined;
  }
}

/**
 * One cell's bytes as the two encodings read them. `both`: valid UTF-8 made only of two-byte sequences (U+0080 to
 * U+07FF: accented Latin, Greek, Cyrillic) that is valid Shift_JIS too, as pairs of half-width katakana (ﾏｷ is CF B7,
 * which is U+03F7 in UTF-8). Japanese UTF-8 text always has three-byte sequences (kana, kanji, full-width forms), and
 * Shift_JIS text is valid UTF-8 with one only by accident (a level-2 kanji followed by a half-width katakana), so
 * such a cell counts as UTF-8.
 */
type CellReading =
  | { kind: 'empty' | 'nul' | 'neither' }
  | { kind: 'ascii' | 'utf-8' | 'shift_jis'; text: string }
  | { kind: 'both'; utf8: string; sjis: string };

const EMPTY: CellReading = { kind: 'empty' };
const NUL: CellReading = { kind: 'nul' };
const NEITHER: CellReading = { kind: 'neither' };
// A UTF-16 unit from U+0800 up, surrogates included (no `u` flag: units, not code points): a character of three or
// four bytes in UTF-8.
const BEYOND_TWO_BYTES = /[\u0800-\uffff]/;

function readCell(cell: Uint8Array, settled: PersonsFileEncoding | undefined): CellReading {
  if (cell.length === 0) return EMPTY;
  // NUL: UTF-16 without a byte order mark, or a binary file; text needs it in neither encoding (and a Shift_JIS trail
  // byte is never 0x00, so the byte is the character in both).
  if (cell.includes(0)) return NUL;
  if (settled === 'utf-8') {
    // The common case costs one pass: in a UTF-8 file every UTF-8 cell reads as itself.
    try {
      return { kind: 'utf-8', text: strictUtf8.decode(cell) };
    } catch {
      // Read on below to tell a Shift_JIS cell (two encodings in one file) from one that is neither.
    }
  } else if (isUtf8(cell)) {
    const utf8 = strictUtf8.decode(cell);
    // Only ASCII decodes to as many UTF-16 units as it has bytes, and ASCII reads the same in both encodings.
    if (utf8.length === cell.length) return { kind: 'ascii', text: utf8 };
    if (BEYOND_TWO_BYTES.test(utf8)) return { kind: 'utf-8', text: utf8 };
    const sjis = cp932(cell);
    return sjis === undefined ? { kind: 'utf-8', text: utf8 } : { kind: 'both', utf8, sjis };
  }
  const sjis = cp932(cell);
  return sjis === undefined ? NEITHER : { kind: 'shift_jis', text: sjis };
}

const ENCODING_NAME: Record<PersonsFileEncoding, string> = { 'utf-8': 'UTF-8', shift_jis: 'Shift_JIS (CP932)' };

/**
 * The file's encoding and the cells' text. A file is UTF-8 (a byte order mark allowed) or Shift_JIS (CP932) as a
 * whole: the first cell that reads one way only (or the UTF-8 byte order mark) settles which, a later cell that reads
 * only the other way refuses the file (`encoding`, with row and column), and so does a cell that reads neither way.
 * Cells that read both ways (ASCII, and the `both` cells above) take the settled encoding; the import holds such
 * rows back while nothing has settled it yet (see `HOLD_BYTES`), and reads them as UTF-8 if nothing ever does.
 * Bytes go through the CSV parser undecoded: its quote, comma and line-break bytes occur inside neither a UTF-8
 * sequence nor a Shift_JIS one (trail bytes are 0x40 and up), so every problem is named by row and column.
 */
class FileText {
  /** `by`: the byte order mark, a cell that reads one way only, or a cell read as UTF-8 for want of either. */
  private settledBy:
    | { encoding: PersonsFileEncoding; row: number; column: string | undefined; by: 'mark' | 'cell' | 'default' }
    | undefined;
  private source: SourceMark = 'none';

  get encoding(): PersonsFileEncoding | undefined {
    return this.settledBy?.encoding;
  }

  /** The file's encoding as uploaded. */
  get uploaded(): PersonsUploadEncoding {
    return this.source === 'none' ? (this.settledBy?.encoding ?? 'utf-8') : this.source;
  }

  mark(mark: SourceMark): void {
    this.source = mark;
    // UTF-16 arrives transcoded to UTF-8, so its cells read as UTF-8 too.
    if (mark !== 'none') this.settledBy ??= { encoding: 'utf-8', row: 1, column: undefined, by: 'mark' };
  }

  settle(encoding: PersonsFileEncoding, row: number, column: string | undefined, by: 'cell' | 'default' = 'cell'): void {
    this.settledBy ??= { encoding, row, column, by };
  }

  text(reading: CellReading, row: number, column: string | undefined): string {
    switch (reading.kind) {
      case 'empty':
        return '';
      case 'ascii':
        return reading.text;
      case 'both':
        this.settle('utf-8', row, column, 'default');
        return this.settledBy!.encoding === 'shift_jis' ? reading.sjis : reading.utf8;
      case 'utf-8':
      case 'shift_jis':
        this.settle(reading.kind, row, column);
        if (this.settledBy!.encoding !== reading.kind) throw this.mixed(reading.kind, row, column);
        return reading.text;
      case 'nul':
        if (this.utf16) throw this.brokenUtf16(row, column);
        throw this.refusal(row, column, 'holds a NUL character (UTF-16 or binary?)', 'encoding.no_bom_utf16', {});
      case 'neither':
        if (this.utf16) throw this.brokenUtf16(row, column);
        throw this.refusal(row, column, 'is neither UTF-8 nor Shift_JIS (CP932) text', 'encoding.neither', {
          expected: 'UTF-8 / Shift_JIS (CP932)',
        });
    }
  }

  private get utf16(): string | undefined {
    return this.source === 'utf-16le' ? 'UTF-16LE' : this.source === 'utf-16be' ? 'UTF-16BE' : undefined;
  }

  private brokenUtf16(row: number, column: string | undefined): PersonsImportError {
    const encoding = this.utf16!;
    return this.refusal(row, column, `is not valid ${encoding} text (a broken character)`, 'encoding.invalid_utf16', { encoding });
  }

  private mixed(kind: PersonsFileEncoding, row: number, column: string | undefined): PersonsImportError {
    const first = this.settledBy!;
    const earlier =
      first.by === 'mark'
        ? 'the file starts with a UTF-8 byte order mark'
        : `${place(first.row, first.column)} ${first.by === 'cell' ? 'is' : 'was read as'} ${ENCODING_NAME[first.encoding]}`;
    return this.refusal(row, column, `is ${ENCODING_NAME[kind]} text but ${earlier}: the file mixes two encodings`, 'encoding.mixed', {
      found: ENCODING_NAME[kind],
      earlier: first.by === 'mark' ? 'the byte order mark' : place(first.row, first.column),
      settled: ENCODING_NAME[first.encoding],
    });
  }

  private refusal(
    row: number,
    column: string | undefined,
    why: string,
    key: PersonsImportTextKey,
    params: Record<string, string | number>,
  ): PersonsImportError {
    return notCsv('encoding', `${place(row, column)} ${why}; ${SAVE_AS_UTF8}`, column === undefined ? { row } : { row, column }, {
      key,
      params: { ...placeParams(row, column), ...params },
    });
  }
}

const place = (row: number, column: string | undefined): string => `row ${row}${column === undefined ? '' : `, column ${column}`}`;

/**
 * How much of a file (raw cell bytes) is held back while its encoding is open and a held row has a cell that reads
 * both ways: a Shift_JIS list whose first names are half-width katakana (ﾅｶ ﾏｷ) is settled by a later row before
 * those names are read. Past this the held rows are read as UTF-8, and a Shift_JIS cell after them refuses the file.
 */
const HOLD_BYTES = 256 * 1024;

const PARSER_RULES: Readonly<Record<string, PersonsFileRule>> = {
  INVALID_OPENING_QUOTE: 'invalid_quote',
  CSV_INVALID_CLOSING_QUOTE: 'text_after_quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text_after_quote',
  CSV_QUOTE_NOT_CLOSED: 'unclosed_quote',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'inconsistent_columns',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'inconsistent_columns',
  CSV_MAX_RECORD_SIZE: 'line_too_long',
};

function isParserError(err: unknown): err is CsvError {
  if (err instanceof CsvError) return true;
  // A second copy of csv-parse in the tree would fail `instanceof`; its codes are recognisable. Not all of them start
  // with CSV_ (INVALID_OPENING_QUOTE does not).
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(CSV_|INVALID_)/.test(code);
}

/**
 * The parser's complaint as the product's import error. csv-parse messages and properties quote the input (the
 * field so far, the whole record), so only its code and counters are read and nothing else of it is kept, not even
 * as `cause`. Anything that is not the parser's own complaint (an aborted upload, a disk error, a refusal of ours)
 * keeps its identity.
 */
function csvFailure(err: unknown, maxLineBytes: number, columns: readonly (Field | undefined)[] | undefined): unknown {
  if (err instanceof PersonsImportError || !isParserError(err)) return err;
  const info = err as unknown as { code: string; lines?: unknown; records?: unknown; index?: unknown };
  const rule = PARSER_RULES[info.code] ?? 'malformed';
  // `records` counts the records the parser finished, header included, so the one at fault is the next.
  const row = typeof info.records === 'number' && Number.isInteger(info.records) ? info.records + 1 : undefined;
  // For an unclosed quote the parser stops at the end of the file: that line says nothing about where the quote is.
  const line = rule !== 'unclosed_quote' && typeof info.lines === 'number' && Number.isInteger(info.lines) ? info.lines : undefined;
  const field = row !== undefined && row > 1 && typeof info.index === 'number' ? columns?.[info.index] : undefined;
  const column = field ? COLUMN_LABEL[field] : undefined;
  const where: Omit<PersonsImportErrorDetails, 'rule'> = {
    ...(row !== undefined ? { row } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  };
  const at = `${row === undefined ? 'a row' : `row ${row}`}${column === undefined ? '' : `, column ${column}`}`;
  switch (rule) {
    case 'line_too_long':
      return new PersonsImportError(
        'line_too_long',
        `${at} is far longer than ${maxLineBytes} bytes (a missing line break?)`,
        { rule, ...where, limit: maxLineBytes },
        'line_too_long',
        { place: at, limit: maxLineBytes },
      );
    case 'invalid_quote':
      return notCsv(rule, `${at}: a double quote inside a cell that does not start with one (quote the whole cell and double the quote: "a ""b"" c")`, where);
    case 'text_after_quote':
      return notCsv(rule, `${at}: text follows the closing double quote of a cell`, where);
    case 'unclosed_quote':
      return notCsv(rule, `${at}: a cell opens a double quote that is never closed`, where);
    case 'inconsistent_columns':
      return notCsv(rule, `${at} has another number of columns than the header`, where);
    default:
      // The parser's code is a fixed identifier, never input.
      return notCsv(rule, `${at} is not valid CSV (${info.code.replace(/[^A-Z_]/g, '')})`, where);
  }
}

function canonicalLine(p: Person): string {
  // Fixed key order: the checksum is over these bytes, so the same upload always checksums the same.
  const o: Record<string, string> = { personId: p.personId, name: p.name };
  if (p.email !== undefined) o['email'] = p.email;
  if (p.postalAddress !== undefined) o['postalAddress'] = p.postalAddress;
  o['language'] = p.language;
  return `${JSON.stringify(o)}\n`;
}

/**
 * Validates, de-duplicates (名寄せ) and stores an affected-person CSV, sealed, under
 * `cases/<caseId>/persons/<uploadId>.ndjson.enc`. Streams end to end: memory holds one batch of output and one
 * 16-byte digest per distinct person, never the rows (and, while the file's encoding is open, at most `HOLD_BYTES`
 * of held rows). The file is UTF-8 or Shift_JIS (CP932) as a whole (`FileText`). Refusals of the whole upload throw
 * `PersonsImportError` and leave nothing stored; row problems are reported and the row skipped.
 */
export async function importPersonsCsv(
  input: Readable,
  deps: PersonsDeps,
  opts: ImportPersonsOptions,
): Promise<ImportPersonsResult> {
  const key = personsListKey(opts.caseId, opts.uploadId);
  const maxRows = opts.maxRows ?? 1_000_000;
  const maxLineBytes = opts.maxLineBytes ?? 4096;
  const maxErrors = opts.maxErrors ?? 1000;
  const idSecret = personIdSecret(deps);

  const ref: PersonsListRef = {
    key,
    uploadId: opts.uploadId,
    total: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    withEmail: 0,
    withoutEmail: 0,
    checksum: '',
    byLanguage: { ja: 0, en: 0 },
  };
  const errors: PersonRowError[] = [];
  let errorCount = 0;
  const report = (row: number, reason: PersonRowRule, column?: string): void => {
    errorCount += 1;
    if (errors.length < maxErrors) errors.push(column === undefined ? { row, reason } : { row, column, reason });
  };

  const parser = parse({
    // Cells come back as bytes and are decoded one by one (`cellText`), so an encoding problem has a row and column.
    encoding: null,
    relax_column_count: true,
    skip_empty_lines: true,
    // Every line ending ends a record, also when a file mixes them (rows pasted from elsewhere): auto-detection would
    // fix the first one seen and read a later lone LF or CR as part of a cell, gluing two rows together.
    record_delimiter: ['\r\n', '\n', '\r'],
    // Rows a little over the limit are rejected one by one; a record this far over means a missing line break or a
    // binary file, and parsing on would buffer it without bound.
    max_record_size: Math.max(maxLineBytes * 4, 64 * 1024),
  });
  const fileText = new FileText();
  pipeline(input, sourceGuard((mark) => fileText.mark(mark)), parser, () => undefined);

  const checksum = createHash('sha256');
  const seen = new Set<string>();
  // Person ids are the first 16 bytes of the identity's HMAC for this case, so an earlier wave's ids are the digests
  // this upload's rows are matched with.
  const earlierSeen = new Set<string>();
  try {
    for (const list of opts.earlier ?? []) {
      for await (const { person } of readPersons(deps, list)) earlierSeen.add(Buffer.from(person.personId.slice(2), 'base64url').toString('latin1'));
    }
  } catch (err) {
    parser.destroy();
    throw err;
  }
  if (opts.earlier) {
    ref.earlierWaves = opts.earlier.map((l) => l.uploadId);
    ref.duplicatesRemoved = 0;
  }

  async function* ndjson(): AsyncGenerator<Buffer> {
    let columns: (Field | undefined)[] | undefined;
    let headerWidth = 0;
    let row = 1;
    let batch = '';
    const label = (i: number): string | undefined => {
      const field = columns?.[i];
      return field ? COLUMN_LABEL[field] : undefined;
    };

    /** One record, the header first: its cells read (`readings`, in the record's order) and the row checked and stored. */
    function take(record: Uint8Array[], readings: CellReading[]): void {
      if (!columns) {
        columns = readings.map((reading) => {
          const heading = normaliseHeader(fileText.text(reading, 1, undefined));
          // Own keys only: a heading such as `constructor` is an unknown column, not Object.prototype's.
          return Object.hasOwn(HEADER_ALIASES, heading) ? HEADER_ALIASES[heading] : undefined;
        });
        headerWidth = record.length;
        const present = new Set(columns.filter((c): c is Field => c !== undefined));
        if (present.size !== columns.filter((c) => c !== undefined).length) {
          throw notCsv('duplicate_column', 'the header names a column twice', { row: 1 });
        }
        if (!present.has('name') || (!present.has('email') && !present.has('postalAddress'))) {
          throw new PersonsImportError('missing_columns', 'header needs name and at least one of email, postal_address', {
            columns: ['name', 'email', 'postal_address', 'language'],
          });
        }
        return;
      }

      row += 1;
      ref.total += 1;
      if (ref.total > maxRows) {
        throw new PersonsImportError('too_many_rows', `upload has more than ${maxRows} rows`, { limit: maxRows }, 'too_many_rows', {
          limit: maxRows,
        });
      }

      const before = errorCount;
      let bytes = record.length - 1;
      const values: Partial<Record<Field, string>> = {};
      for (let i = 0; i < record.length; i++) {
        const field = columns[i];
        bytes += record[i]!.length;
        // Values are kept as given, formula-looking ones too (`=…`, `+…`, `-…`, `@…`): a name is personal data, sealed
        // here and printed on letters as written. Spreadsheet safety is for CSV output: lib/csv-safe.ts.
        const cell = fileText.text(readings[i]!, row, field ? COLUMN_LABEL[field] : undefined);
        if (field) values[field] = cell;
        // Empty trailing cells are what Excel writes when any row is wider, so only non-empty extras count.
        else if (i >= headerWidth && cell.trim() !== '' && errorCount === before) report(row, 'too_many_columns');
      }
      if (bytes > maxLineBytes) report(row, 'line_too_long');

      const name = (values.name ?? '').normalize('NFC').trim();
      if (name === '') report(row, 'required', 'name');
      else if (codePoints(name, NAME_MAX) > NAME_MAX) report(row, 'too_long', 'name');

      const emailRaw = values.email ?? '';
      const email = normaliseEmail(emailRaw);
      if (email !== '' && (email.length > EMAIL_MAX || !EMAIL.test(email))) report(row, 'invalid_email', 'email');

      const address = collapse(values.postalAddress ?? '');
      if (codePoints(address, ADDRESS_MAX) > ADDRESS_MAX) report(row, 'too_long', 'postal_address');
      if (email === '' && address === '') report(row, 'email_or_address_required');

      const langRaw = (values.language ?? '').trim().toLowerCase();
      const language: PersonLanguage | undefined = langRaw === '' || langRaw === 'ja' ? 'ja' : langRaw === 'en' ? 'en' : undefined;
      if (!language) report(row, 'invalid_language', 'language');

      if (errorCount !== before || !language) {
        ref.rejected += 1;
        return;
      }

      const identity = email !== '' ? `e\u0000${email}` : `n\u0000${normaliseIdentityText(name)}\u0000${normaliseIdentityText(address)}`;
      const digest = createHmac('sha256', idSecret).update(opts.caseId).update('\u0000').update(identity).digest();
      const short = digest.toString('latin1', 0, 16);
      if (seen.has(short)) {
        ref.duplicates += 1;
        return;
      }
      seen.add(short);
      if (earlierSeen.has(short)) {
        ref.duplicatesRemoved! += 1;
        return;
      }

      const person: Person = { personId: `p_${digest.toString('base64url', 0, 16)}`, name, language };
      if (email !== '') person.email = email;
      if (address !== '') person.postalAddress = address;
      ref.accepted += 1;
      if (person.email) ref.withEmail += 1;
      else ref.withoutEmail += 1;
      ref.byLanguage[language] += 1;
      batch += canonicalLine(person);
    }

    const full = (): Buffer | undefined => {
      if (batch.length < BATCH_BYTES) return undefined;
      const buf = Buffer.from(batch, 'utf8');
      checksum.update(buf);
      batch = '';
      return buf;
    };

    // Records held back while the file's encoding is open (see `HOLD_BYTES`), in file order.
    let held: { record: Uint8Array[]; readings: CellReading[] }[] = [];
    let heldBytes = 0;
    let arrived = 0;
    // What the held rows make is bounded as they are, so it is handed back whole.
    const release = (): Buffer[] => {
      const rows = held;
      held = [];
      heldBytes = 0;
      const out: Buffer[] = [];
      for (const h of rows) {
        take(h.record, h.readings);
        const buf = full();
        if (buf) out.push(buf);
      }
      return out;
    };

    try {
      try {
        for await (const record of parser as AsyncIterable<Uint8Array[]>) {
          arrived += 1;
          const settled = fileText.encoding;
          const readings = record.map((cell) => readCell(cell, settled));
          if (settled === undefined) {
            const first = readings.findIndex((r) => r.kind === 'utf-8' || r.kind === 'shift_jis');
            if (first !== -1) {
              fileText.settle(readings[first]!.kind as PersonsFileEncoding, arrived, arrived === 1 ? undefined : label(first));
            } else if (!readings.some((r) => r.kind === 'nul' || r.kind === 'neither') && (held.length > 0 || readings.some((r) => r.kind === 'both'))) {
              const size = record.reduce((n, cell) => n + cell.length, 0);
              if (heldBytes + size <= HOLD_BYTES) {
                held.push({ record, readings });
                heldBytes += size;
                continue;
              }
            }
          }
          if (held.length > 0) yield* release();
          take(record, readings);
          const buf = full();
          if (buf) yield buf;
        }
      } catch (err) {
        // Rows held back come before the parser's complaint in the file, and so does any refusal of theirs.
        if (held.length > 0 && isParserError(err)) release();
        throw err;
      }
      // Nothing told the encodings apart: held rows read as UTF-8 (their first cell that reads both ways settles it).
      if (held.length > 0) yield* release();
    } catch (err) {
      throw csvFailure(err, maxLineBytes, columns);
    }
    if (!columns) throw notCsv('empty', 'the upload is empty or has no header row');
    const buf = Buffer.from(batch, 'utf8');
    checksum.update(buf);
    if (buf.length > 0) yield buf;
  }

  let failure: unknown;
  const plaintext = Readable.from(
    (async function* () {
      try {
        yield* ndjson();
      } catch (err) {
        failure = err;
        throw err;
      }
    })(),
    { objectMode: false },
  );
  const sealed = pipeline(plaintext, createEncryptStream(deps.keyring, { context: key }), () => undefined);
  try {
    await deps.store.put(key, sealed);
  } catch (err) {
    parser.destroy();
    throw failure ?? err;
  }
  ref.checksum = checksum.digest('hex');
  return { ref, encoding: fileText.uploaded, errors, errorCount };
}

function asPerson(value: unknown): Person {
  const v = value as Partial<Person> | null;
  if (
    !v ||
    typeof v.personId !== 'string' ||
    typeof v.name !== 'string' ||
    (v.language !== 'ja' && v.language !== 'en') ||
    (v.email !== undefined && typeof v.email !== 'string') ||
    (v.postalAddress !== undefined && typeof v.postalAddress !== 'string')
  ) {
    throw new PersonsIntegrityError('stored persons list has a malformed record');
  }
  return v as Person;
}

/**
 * Streams a stored list back in file order. `from` resumes at an index (a campaign's heartbeat cursor); earlier
 * records are still decrypted, because the checksum covers the whole list. The checksum and count are verified when
 * the iteration reaches the end; a consumer that stops early gets no verdict.
 */
export async function* readPersons(
  deps: Pick<PersonsDeps, 'store' | 'keyring'>,
  ref: Pick<PersonsListRef, 'key' | 'accepted' | 'checksum'>,
  opts: { from?: number } = {},
): AsyncGenerator<{ index: number; person: Person }> {
  const from = opts.from ?? 0;
  if (!Number.isInteger(from) || from < 0) throw new RangeError('from must be a non-negative integer');
  const sealed = await deps.store.get(ref.key);
  const plain = pipeline(sealed, createDecryptStream(deps.keyring, { context: ref.key }), () => undefined);
  const hash = createHash('sha256');
  let index = 0;
  let tail: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of plain as AsyncIterable<Buffer>) {
      hash.update(chunk);
      let data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (index >= from) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(data.toString('utf8', start, nl));
          } catch {
            throw new PersonsIntegrityError(`stored persons list record ${index} is not JSON`);
          }
          yield { index, person: asPerson(parsed) };
        }
        index += 1;
        start = nl + 1;
      }
      data = data.subarray(start);
      tail = Buffer.from(data);
    }
  } finally {
    plain.destroy();
  }
  if (tail.length > 0) throw new PersonsIntegrityError('stored persons list ends mid-record');
  if (index !== ref.accepted || hash.digest('hex') !== ref.checksum) {
    throw new PersonsIntegrityError('stored persons list does not match its reference (count or checksum)');
  }
}
