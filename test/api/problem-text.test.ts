/**
 * Every problem the product can answer has its words in Japanese and English. The codes are read from the code
 * itself (every `new HttpProblem(status, 'code'` and the codec's `sendProblem(res, status, 'code'`, the case's
 * refusal codes), and so are the refusal texts the case records (`refuse(code, text)` in workflows/case/*.ts, the
 * domain texts those quote), so a new code or refusal without words fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS_PROBLEM_TEXT, requiredApprover, type FindingsProblem } from '../../domain/index.js';
import {
  DETAIL_TEXT,
  PROBLEM_CODES,
  PROBLEM_TEXT,
  REFUSAL_CODES,
  allTemplates,
  problemLanguage,
  refusalText,
  renderDetail,
} from '../../api/problem-text.js';
import { PERSONS_IMPORT_TEXT_KEYS } from '../../storage/persons.js';

const accepts = createRequire(import.meta.url)('accepts') as (r: unknown) => { languages: (...l: string[]) => string | false };
const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const tsFiles = (dir: string) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`);

/** Japanese text has kana or kanji; a template that is English in its `ja` slot fails this. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const params = (t: string) => new Set([...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));

describe('the problem words', () => {
  it('cover every problem code the API and the codec endpoint throw, and every refusal code of the case', () => {
    const thrown = new Set<string>();
    for (const file of [...tsFiles('api'), 'lib/codec-server.ts']) {
      const src = read(file);
      for (const m of src.matchAll(/new HttpProblem\(\s*[\w[\].]+,\s*'(\w+)'/g)) thrown.add(m[1]!);
      for (const m of src.matchAll(/sendProblem\(\s*res,\s*[\w.]+,\s*'(\w+)'/g)) thrown.add(m[1]!);
      for (const m of src.matchAll(/code === \d+ \? '(\w+)'|: status === \d+ \? '(\w+)' : '(\w+)'/g)) {
        for (const c of m.slice(1)) if (c) thrown.add(c);
      }
    }
    // The scan really found the throwers (a broken pattern would pass an empty set).
    expect(thrown.size).toBeGreaterThan(20);
    for (const code of [...thrown, ...REFUSAL_CODES]) expect(PROBLEM_CODES, `problem code ${code}`).toContain(code);
  });

  it('have a title and a detail in both languages for every code, the Japanese in Japanese', () => {
    for (const code of PROBLEM_CODES) {
      const { title, detail } = PROBLEM_TEXT[code];
      for (const w of [title, detail]) {
        expect(w.en, code).toMatch(/\S/);
        expect(w.ja, code).toMatch(JAPANESE);
      }
    }
  });

  it('have every template in both languages with the same parameters', () => {
    // A Japanese template may leave out parameters that carry English (zod's messages, the field summary).
    const jaLeavesOut: Record<string, string[]> = { 'validation.fields': ['summary'], 'refusal.body_invalid': ['issues'] };
    const jaAdds: Record<string, string[]> = { 'validation.fields': ['paths'] };
    const all = allTemplates();
    for (const [key, words] of Object.entries(all)) {
      expect(words.en, key).toMatch(/\S/);
      expect(words.ja, key).toMatch(JAPANESE);
      const en = [...params(words.en)].filter((p) => !(jaLeavesOut[key] ?? []).includes(p));
      const ja = [...params(words.ja)].filter((p) => !(jaAdds[key] ?? []).includes(p));
      expect(new Set(ja), key).toEqual(new Set(en));
    }
    for (const key of PERSONS_IMPORT_TEXT_KEYS) expect(Object.keys(all), key).toContain(`persons.${key}`);
    for (const key of Object.keys(DETAIL_TEXT)) expect(PROBLEM_CODES, key).toContain(key.split('.')[0]);
  });

  it('word every refusal text the case workflow records, in both languages', () => {
    const samples: { code: string; text: string; where: string }[] = [];
    // `refuse('code', 'text')` and `refuse('code', \`text ${x}\`)` in the tracks; `${...}` becomes a sample value.
    for (const file of [...tsFiles('workflows/case'), 'workflows/consultation.ts']) {
      const src = read(file);
      for (const m of src.matchAll(/refuse\(\s*'(\w+)',\s*(?:'([^']*)'|`([^`]*)`)/g)) {
        samples.push({ code: m[1]!, text: (m[2] ?? m[3]!).replace(/\$\{[^}]*\}/g, 'X1'), where: file });
      }
    }
    // The texts the tracks pass on from the domain: the command gate, filings, the approval decision, findings.
    for (const m of read('domain/permissions.ts').matchAll(/code: '(\w+)', text: `([^`]*)`/g)) {
      samples.push({ code: m[1]!, text: m[2]!.replace(/\$\{[^}]*\}/g, 'X1'), where: 'domain/permissions.ts' });
    }
    // The consultation desk's gate (domain/consultation.ts), quoted by the consultation workflow and the API.
    for (const m of read('domain/consultation.ts').matchAll(/code: '(\w+)', text: (?:'([^']*)'|`([^`]*)`)/g)) {
      samples.push({ code: m[1]!, text: (m[2] ?? m[3]!).replace(/\$\{[^}]*\}/g, 'X1'), where: 'domain/consultation.ts' });
    }
    for (const m of read('domain/obligations.ts').matchAll(/error: `([^`]*)`/g)) {
      const text = m[1]!.replace(/\$\{[^}]*\}/g, 'X1');
      samples.push({ code: /already/.test(text) ? 'nothing_to_do' : /say which/.test(text) ? 'invalid' : 'not_found', text, where: 'domain/obligations.ts' });
    }
    for (const [role, limit, total] of [
      ['handler', 100, 50],
      ['handler', 100, 500],
      ['supervisor', 1000, 500],
      ['supervisor', 1000, 5000],
      ['ops', 0, 1],
    ] as const) {
      const d = requiredApprover(total, { role, authorityLimitJpy: limit });
      samples.push({ code: 'over_authority', text: d.reason, where: 'domain/payout.ts' });
      samples.push({ code: 'over_authority', text: `payout P1 awaits a supervisor: ${d.reason}`, where: 'workflows/case/settlement.ts' });
    }
    const findings = Object.keys(FINDINGS_PROBLEM_TEXT) as FindingsProblem[];
    samples.push({ code: 'invalid', text: findings.map((f) => FINDINGS_PROBLEM_TEXT[f]).join('; '), where: 'domain/findings.ts' });
    expect(samples.length).toBeGreaterThan(30);

    for (const s of samples) {
      const text = refusalText(s.code, s.text);
      expect(text, `${s.where}: ${s.code}: ${s.text}`).toBeDefined();
      // The generic template is for zod's messages only, never for a text the tracks write.
      expect(text!.key, `${s.where}: ${s.text}`).not.toBe('refusal.body_invalid');
      expect(renderDetail(text!, 'en')).toBe(s.text);
      const ja = renderDetail(text!, 'ja');
      expect(ja, s.text).toMatch(JAPANESE);
      expect(ja, s.text).not.toMatch(/\{\w+\}/);
      // No English sentence survives in the Japanese, nested reasons included (ids and codes may).
      expect(ja, s.text).not.toMatch(/\b(the|is|are|not|may|awaits|within|exceeds)\b/);
    }
  });

  it('pick the language from Accept-Language: Japanese when preferred, English otherwise and by default', () => {
    const req = (header?: string) =>
      ({
        // Express's own negotiation (`req.acceptsLanguages` is `accepts(req).languages`), on a minimal request.
        acceptsLanguages: (...langs: string[]) =>
          accepts({ headers: header === undefined ? {} : { 'accept-language': header } }).languages(...langs),
      }) as never;
    expect(problemLanguage(req())).toBe('en');
    expect(problemLanguage(req('ja'))).toBe('ja');
    expect(problemLanguage(req('ja-JP,ja;q=0.9,en;q=0.8'))).toBe('ja');
    expect(problemLanguage(req('en-US,ja;q=0.5'))).toBe('en');
    expect(problemLanguage(req('fr'))).toBe('en');
    expect(problemLanguage(req('*'))).toBe('en');
    expect(problemLanguage(req('fr, ja;q=0.1'))).toBe('ja');
  });
});
