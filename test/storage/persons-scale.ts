import { Readable } from 'node:stream';

export interface GeneratedCounts {
  total: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  withEmail: number;
  withoutEmail: number;
  byLanguage: { ja: number; en: number };
}

/**
 * An affected-person CSV of `rows` data rows produced on the fly, never held whole, with known proportions:
 * 1 % rows missing a name, 1 % repeating the previous row's e-mail in another case, 20 % address-only.
 */
export function generatedPersonsCsv(rows: number): { input: Readable; expected: GeneratedCounts } {
  const expected: GeneratedCounts = {
    total: rows,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    withEmail: 0,
    withoutEmail: 0,
    byLanguage: { ja: 0, en: 0 },
  };
  function* lines(): Generator<string> {
    let batch = '\uFEFFname,email,postal_address,language\r\n';
    for (let i = 0; i < rows; i++) {
      const lang = i % 3 === 0 ? 'en' : 'ja';
      if (i % 100 === 99) {
        batch += `,x${i}@example.com,,ja\r\n`;
        expected.rejected += 1;
      } else if (i % 100 === 98) {
        batch += `重複 ${i},P${i - 1}@EXAMPLE.com,,ja\r\n`;
        expected.duplicates += 1;
      } else if (i % 5 === 1) {
        batch += `山田 花子${i},,"東京都千代田区丸の内${i}丁目, ビル${i % 40}階",${lang}\r\n`;
        expected.accepted += 1;
        expected.withoutEmail += 1;
        expected.byLanguage[lang] += 1;
      } else {
        batch += `Person ${i},p${i}@example.com,,${lang}\r\n`;
        expected.accepted += 1;
        expected.withEmail += 1;
        expected.byLanguage[lang] += 1;
      }
      if (batch.length > 60_000) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  const gen = lines();
  return {
    input: Readable.from(
      (function* () {
        for (const s of gen) yield Buffer.from(s, 'utf8');
      })(),
    ),
    expected,
  };
}
