/** A message's language (the e-mail labels' `Language`). */
type Language = 'ja' | 'en';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The one HTML escape of every message part and notice preview. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A message body as a list of blocks (shared by the e-mails in activities/email and the API's notice preview). Both the text and the HTML part are written from the same blocks, so the two
 * parts can never say different things, and HTML escaping happens in exactly one place.
 */
export type Block =
  | { readonly t: 'heading'; readonly text: string }
  | { readonly t: 'para'; readonly text: string }
  | { readonly t: 'list'; readonly items: readonly string[] }
  | { readonly t: 'fields'; readonly rows: ReadonlyArray<readonly [label: string, value: string]> }
  | { readonly t: 'table'; readonly head: readonly string[]; readonly rows: ReadonlyArray<readonly string[]> };

export interface EmailDocument {
  readonly language: Language;
  readonly title: string;
  readonly blocks: readonly Block[];
}

function textHeading(text: string, lang: Language): string {
  return lang === 'ja' ? `■ ${text}` : `== ${text} ==`;
}

export function toText(doc: EmailDocument): string {
  const ja = doc.language === 'ja';
  const out: string[] = [doc.title, ''];
  for (const b of doc.blocks) {
    switch (b.t) {
      case 'heading':
        out.push(textHeading(b.text, doc.language));
        break;
      case 'para':
        out.push(b.text, '');
        break;
      case 'list':
        for (const item of b.items) out.push(`${ja ? '・' : '- '}${item}`);
        out.push('');
        break;
      case 'fields':
        for (const [label, value] of b.rows) out.push(`${label}${ja ? '：' : ': '}${value}`);
        out.push('');
        break;
      case 'table':
        out.push(b.head.join(' | '));
        for (const row of b.rows) out.push(row.join(' | '));
        out.push('');
        break;
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

const cell = 'border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top';

function htmlLines(text: string): string {
  return text.split('\n').map(escapeHtml).join('<br>');
}

export function toHtml(doc: EmailDocument): string {
  const parts: string[] = [`<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(doc.title)}</h1>`];
  for (const b of doc.blocks) {
    switch (b.t) {
      case 'heading':
        parts.push(`<h2 style="font-size:16px;margin:24px 0 8px;border-bottom:1px solid #ccc">${escapeHtml(b.text)}</h2>`);
        break;
      case 'para':
        parts.push(`<p style="margin:0 0 12px">${htmlLines(b.text)}</p>`);
        break;
      case 'list':
        parts.push(`<ul>${b.items.map((i) => `<li>${htmlLines(i)}</li>`).join('')}</ul>`);
        break;
      case 'fields':
        parts.push(
          `<table style="border-collapse:collapse;margin:0 0 12px">${b.rows
            .map(([label, value]) => `<tr><th style="${cell}">${escapeHtml(label)}</th><td style="${cell}">${htmlLines(value)}</td></tr>`)
            .join('')}</table>`,
        );
        break;
      case 'table':
        parts.push(
          `<table style="border-collapse:collapse;margin:0 0 12px"><thead><tr>${b.head
            .map((h) => `<th style="${cell}">${escapeHtml(h)}</th>`)
            .join('')}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((c) => `<td style="${cell}">${htmlLines(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`,
        );
        break;
    }
  }
  // California asks for at least 10-point type; 14px keeps every notice above it.
  return [
    '<!DOCTYPE html>',
    `<html lang="${doc.language}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px;line-height:1.6;color:#222;margin:0;padding:16px">',
    `<div style="max-width:680px;margin:0 auto">${parts.join('\n')}</div>`,
    '</body></html>',
    '',
  ].join('\n');
}
