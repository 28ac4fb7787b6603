/**
 * A filing as a document people can file: printable HTML and PDF, in the filing's language (Japanese for the PPC).
 *
 * The PDF is drawn by pdfkit (maintained, pure JavaScript, fontkit subsetting) with a TrueType font whose licence
 * allows embedding; only the glyphs used are embedded. The font is read from the machine (`FILING_FONT_PATH`, by
 * default IPA Gothic from Debian's fonts-ipafont-gothic, IPA Font License v1.0: embedding allowed), once per process,
 * never downloaded. Both renderings are deterministic for one filing version (the PDF's dates are the version's), so a
 * filed version renders to the same bytes and its hash can be checked again.
 *
 * Item texts are plain text (the edit schema refuses markup); the HTML escapes every text all the same.
 */
import { existsSync, readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { filingItemOrder, formatJst, type FilingDraft } from '../domain/index.js';

/** Where the embedding font is looked for, first found wins. */
export const FILING_FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf',
  '/usr/share/fonts/truetype/fonts-japanese-gothic.ttf',
  '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf',
];

let fontCache: { path: string; bytes: Buffer } | undefined;

/** The font's bytes (read once). Throws with the paths tried when none is there. */
export function filingFont(path = process.env['FILING_FONT_PATH']): Buffer {
  const candidates = path ? [path] : FILING_FONT_CANDIDATES;
  if (fontCache && candidates.includes(fontCache.path)) return fontCache.bytes;
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no font for filing PDFs: install fonts-ipafont-gothic or set FILING_FONT_PATH (tried ${candidates.join(', ')})`);
  fontCache = { path: found, bytes: readFileSync(found) };
  return fontCache.bytes;
}

/** What a document says about itself besides the items. */
export interface FilingDocumentMeta {
  caseId: string;
  version: number;
  status: 'draft' | 'ready' | 'filed';
  /** When this version was made (the case's `updatedAt`, or when it was filed): the document's date. */
  asOf: string;
}

const WORDS = {
  ja: { case: '事案番号', version: '版', status: '状態', asOf: '作成日時', due: '期限', missing: '未記入の項目', draft: '下書き', ready: '提出可', filed: '提出済', edited: '編集済' },
  en: { case: 'Case', version: 'Version', status: 'Status', asOf: 'As of', due: 'Due', missing: 'Items still missing', draft: 'draft', ready: 'ready', filed: 'filed', edited: 'edited' },
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** Printable HTML: one self-contained page, no script, inline print styles. */
export function renderFilingHtml(d: FilingDraft, meta: FilingDocumentMeta): string {
  const w = WORDS[d.language];
  const rows = filingItemOrder(d)
    .map((code, i) => {
      const item = d.items[code]!;
      const missing = d.missing.includes(code);
      return `<section class="item${missing ? ' missing' : ''}" id="${code}"><h2>${i + 1}. ${escapeHtml(item.label)}${item.source === 'edited' ? ` <small>(${w.edited})</small>` : ''}</h2><p>${escapeHtml(item.value).replace(/\n/g, '<br>')}</p></section>`;
    })
    .join('\n');
  const missing = d.missing.length > 0 ? `<p class="missing-list">${w.missing}: ${d.missing.map((c) => escapeHtml(d.items[c]?.label ?? c)).join(d.language === 'ja' ? '、' : ', ')}</p>` : '';
  return `<!doctype html>
<html lang="${d.language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(d.title)}</title>
<style>
body { font-family: "IPAGothic", "Noto Sans JP", sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.6; color: #111; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin-bottom: .2rem; } .meta { color: #444; font-size: .9rem; }
.item { border-top: 1px solid #ccc; padding: .4rem 0; break-inside: avoid; } .missing p { color: #a00; } .missing-list { color: #a00; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
<h1>${escapeHtml(d.title)}</h1>
<p class="meta">${w.case}: ${escapeHtml(meta.caseId)} / ${w.version}: ${meta.version} / ${w.status}: ${w[meta.status]} / ${w.asOf}: ${formatJst(meta.asOf)} / ${w.due}: ${formatJst(d.dueAt)}</p>
${missing}
${rows}
</body>
</html>
`;
}

/** The PDF (A4), with the font's used glyphs embedded. */
export function renderFilingPdf(d: FilingDraft, meta: FilingDocumentMeta, font: Buffer = filingFont()): Promise<Buffer> {
  const w = WORDS[d.language];
  const date = new Date(meta.asOf);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    info: { Title: d.title, Subject: `${meta.caseId} ${d.filingId} v${meta.version}`, Creator: 'breach-claims', Producer: 'breach-claims', CreationDate: date, ModDate: date },
    lang: d.language,
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', font);
  doc.font('body');
  doc.fontSize(16).text(d.title);
  doc.moveDown(0.3);
  doc.fontSize(9).fillColor('#444').text(`${w.case}: ${meta.caseId}  ${w.version}: ${meta.version}  ${w.status}: ${w[meta.status]}  ${w.asOf}: ${formatJst(meta.asOf)}  ${w.due}: ${formatJst(d.dueAt)}`);
  if (d.missing.length > 0) {
    doc.moveDown(0.3).fillColor('#a00').text(`${w.missing}: ${d.missing.map((c) => d.items[c]?.label ?? c).join(d.language === 'ja' ? '、' : ', ')}`);
  }
  doc.fillColor('#000');
  filingItemOrder(d).forEach((code, i) => {
    const item = d.items[code]!;
    doc.moveDown(0.8);
    doc.fontSize(11).text(`${i + 1}. ${item.label}${item.source === 'edited' ? ` (${w.edited})` : ''}`);
    doc.moveDown(0.2);
    doc.fontSize(10).text(item.value || '—', { indent: 12 });
  });
  doc.end();
  return done;
}
