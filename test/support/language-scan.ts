/**
 * The language scan: Latin-script words in a Japanese text that are not on the allowed list. A Japanese e-mail (or
 * page) may carry identifiers, addresses, codes and amounts in Latin letters; an English word in its sentences is a
 * translation that is missing. Anything the reader is meant to read as words must be Japanese.
 */

/**
 * Words a Japanese text may contain as they are: regime and authority codes (`JP-APPI` splits into `JP` and `APPI`),
 * the time zone every time is shown in, and the abbreviations Japanese writes in Latin letters.
 */
export const ALLOWED_LATIN_WORDS: ReadonlySet<string> = new Set([
  // regimes and authorities (contract.md: JP-APPI, EU-GDPR, US-CA, US-NY, US-TX, SG-PDPA, AU-NDB, KR-PIPA; the PPC)
  'JP', 'APPI', 'EU', 'GDPR', 'US', 'CA', 'NY', 'TX', 'SG', 'PDPA', 'AU', 'NDB', 'KR', 'PIPA', 'PPC',
  // times are shown in JST
  'JST',
  // written in Latin letters in Japanese too
  'ID', 'CSV',
]);

/**
 * Phrases a Japanese text keeps in English on purpose: California prescribes the notice's title and headings
 * (Cal. Civ. Code §1798.82(d)); a Japanese notice shows each with its translation beside it.
 */
export const ALLOWED_LATIN_PHRASES: readonly string[] = [
  'Notice of Data Breach',
  'What Happened',
  'What Information Was Involved',
  'What We Are Doing',
  'What You Can Do',
  'For More Information',
];

const URL = /\bhttps?:\/\/[^\s<>"'）」]+/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Identifiers (case ids, policy numbers, payout ids, apology codes, phone numbers): a token with a digit in it.
const IDENTIFIER = /[A-Za-z0-9][A-Za-z0-9_.:/-]*\d[A-Za-z0-9_.:/-]*/g;
const WORD = /[A-Za-z]+(?:['’][A-Za-z]+)*/g;
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/;

export interface ScanOptions {
  /**
   * Values the message carries from data rather than from its template (a company's, person's or vendor's name, an
   * insured's own description): removed before the scan, since nobody translates them.
   */
  values?: readonly string[];
  words?: readonly string[];
}

/** The visible text of an HTML document (tags dropped, the entities our renderer writes decoded). */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The Latin-script words of `text` that the allowed list does not cover, in order of appearance. */
export function strayLatinWords(text: string, opts: ScanOptions = {}): string[] {
  let rest = text;
  // Longest first, so that a value containing another is removed whole.
  for (const value of [...(opts.values ?? []), ...ALLOWED_LATIN_PHRASES].filter(Boolean).sort((a, b) => b.length - a.length)) {
    rest = rest.split(value).join(' ');
  }
  rest = rest.replace(URL, ' ').replace(EMAIL, ' ').replace(IDENTIFIER, ' ');
  const allowed = new Set([...ALLOWED_LATIN_WORDS, ...(opts.words ?? [])]);
  return (rest.match(WORD) ?? []).filter((w) => !allowed.has(w));
}

/** True when the text has Japanese script in it (kana or kanji). */
export function hasJapanese(text: string): boolean {
  return JAPANESE.test(text);
}

/** The Japanese characters of a text that should be English (for scans of English renderings). */
export function japaneseIn(text: string, opts: Pick<ScanOptions, 'values'> = {}): string[] {
  let rest = text;
  for (const value of [...(opts.values ?? [])].filter(Boolean).sort((a, b) => b.length - a.length)) rest = rest.split(value).join(' ');
  return [...rest].filter((ch) => JAPANESE.test(ch));
}
