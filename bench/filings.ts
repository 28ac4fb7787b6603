// What drafting and rendering a filing costs (issue 13: p99 under 300 ms for HTML, under 1 s for PDF).
//
//   npx tsx bench/filings.ts [--seconds 20]
//
// Drafts the final JP-APPI report of a 1,200-person Japanese case with findings, counsel's advice, notices sent and
// two edited items (the API's work for `GET .../filings/{filingId}`, minus the memo read), then renders it as
// printable HTML and as a PDF with IPA Gothic embedded (pdfkit, subset to the glyphs used), each pass timed on its
// own. Half the time budget goes to each rendering; the first PDF (font parsing) is reported apart from the rest.
import { performance } from 'node:perf_hooks';
import { draftFiling, type FilingFacts, type FilingObligation } from '../domain/index.js';
import { filingFont, renderFilingHtml, renderFilingPdf } from '../api/filing-render.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 20);
const budgetMs = Math.min(Math.max(seconds, 2), 50) * 1000;

const FINAL: FilingObligation = { id: 'JP-APPI:regulator:final', regime: 'JP-APPI', audience: 'regulator', kind: 'final', status: 'pending', dueAt: '2026-12-20T00:00:00.000Z' };
const facts = (n: number): FilingFacts => ({
  caseId: `C-bench-${n}`,
  insuredName: '株式会社サンプル',
  description: '営業用ノートPCを電車内に置き忘れ、顧客名簿（氏名・住所・電話番号）が保存されていた。'.repeat(3),
  discoveredAt: '2026-11-20T00:00:00.000Z',
  occurredAt: '2026-11-18T00:00:00.000Z',
  cause: 'device_loss',
  dataItems: ['name', 'address', 'phone', 'email', 'birth_date', 'credit_card'],
  affectedPersons: 1200 + n,
  obligations: [FINAL, { ...FINAL, id: 'EU-GDPR:regulator:notice', regime: 'EU-GDPR', kind: 'notice' }],
  counselAdvice: [{ at: '2026-11-23T00:00:00.000Z', advice: '持ち出し端末の全台暗号化、持ち出し記録の運用、従業員教育の実施。'.repeat(4) }],
  contact: { name: '山田 太郎', email: 'yamada@example.co.jp', phone: '+81-3-0000-0000' },
  notice: { approved: true, approvedAt: '2026-11-24T00:00:00.000Z' },
  notifications: { total: 1200, sent: 1180, failed: 20, letters: 200, status: 'done' },
  findingsLog: [{ at: '2026-11-22T00:00:00.000Z', by: 'forensics-a', note: 'ディスクは暗号化されていなかった。第三者によるアクセスの痕跡は確認されていない。' }],
});
const edits = { publicAnnouncement: '2026年11月25日、当社ウェブサイトにて公表。', otherMatters: '本件に関するお問い合わせ窓口を設置した。' };

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function measure(name: string, render: (n: number) => Promise<number> | number): Promise<number[]> {
  const times: number[] = [];
  let bytes = 0;
  const until = performance.now() + budgetMs / 2;
  for (let n = 0; performance.now() < until; n++) {
    const t0 = performance.now();
    bytes = await render(n);
    times.push(performance.now() - t0);
  }
  console.log(`${name.padEnd(24)} runs ${String(times.length).padStart(5)}  p50 ${fmt(quantile(times, 0.5))}  p99 ${fmt(quantile(times, 0.99))}  max ${fmt(times.reduce((a, b) => Math.max(a, b), 0))}  (${bytes} bytes)`);
  return times;
}

const meta = (n: number) => ({ caseId: `C-bench-${n}`, version: 3, status: 'ready' as const, asOf: '2026-11-25T00:00:00.000Z' });
const font = filingFont();
const t0 = performance.now();
await renderFilingPdf(draftFiling(facts(0), FINAL, edits), meta(0), font);
console.log(`first PDF (font parsed)  ${fmt(performance.now() - t0)}`);
const html = await measure('draft + HTML', (n) => Buffer.byteLength(renderFilingHtml(draftFiling(facts(n), FINAL, edits), meta(n))));
const pdf = await measure('draft + PDF', async (n) => (await renderFilingPdf(draftFiling(facts(n), FINAL, edits), meta(n), font)).length);
const ok = quantile(html, 0.99) < 300 && quantile(pdf, 0.99) < 1000;
console.log(`targets: HTML p99 < 300 ms, PDF p99 < 1000 ms: ${ok ? 'met' : 'NOT met'}`);
process.exitCode = ok ? 0 : 1;
