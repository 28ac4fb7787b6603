/**
 * The texts the case records and its rules produce read in Japanese (api/case-text.ts). The texts are read from the
 * code itself: every `record(c, kind, actor, text)` of workflows/case/*.ts (and the `why` of `setStatus`, `assess`,
 * `deny`, the findings' `changes`) must have the shape of a timeline template, and the domain's generators are run
 * over facts that make them write every sentence they can. A new text without Japanese fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyCoverageOverride,
  assessCoverage,
  computeObligations,
  computeSettlement,
  computeSeverity,
  emptyLedger,
  REGIME_RULES,
  type ObligationFacts,
} from '../../domain/index.js';
import {
  CASE_TEXT_TABLES,
  DOMAIN_WORDS,
  EXCLUSION_JA,
  MAIL_PURPOSE_JA,
  REGIME_WORDS_JA,
  SEVERITY_WHY_JA,
  caseText,
  caseTextKnown,
  caseTextTemplates,
  localizeTimeline,
  localizeView,
  traceTemplates,
  type CaseTextSource,
} from '../../api/case-text.js';
import { templateParams } from '../../api/text-templates.js';
import { hasJapanese, strayLatinWords } from '../support/language-scan.js';
import { AWARE, baseFacts, samplePolicy } from '../domain/fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

/** Words a Japanese case text may carry as they are: codes and abbreviations the pages allow, and the sample ids. */
const ALLOWED = ['EP', 'JNSA', 'SLA', 'breach', 'claims'];
/** The values the samples carry from data: ids, vendor names, the reasons people typed. */
const VALUES = ['X1', 'Sandbox Law Office A', 'notices sent', 'handler-1', 'INV-1'];

/** Every template a test below read a text with: all of them must be (see the last test). */
const USED = new Set<string>();
const readJa = (source: CaseTextSource, en: string) => {
  let ja = '';
  for (const id of traceTemplates(() => (ja = caseText(source, en, 'ja')))) USED.add(id);
  return ja;
};

function expectJapanese(source: CaseTextSource, en: string, where = ''): string {
  expect(caseTextKnown(source, en), `${where} no ${source} template reads: ${en}`).toBe(true);
  const ja = readJa(source, en);
  expect(hasJapanese(ja), `${where} ${en} → ${ja}`).toBe(true);
  expect(ja, en).not.toMatch(/\{\w+\}/);
  expect(strayLatinWords(ja, { words: ALLOWED, values: VALUES }), `${en} → ${ja}`).toEqual([]);
  expect(caseText(source, en, 'en'), 'English stays as recorded').toBe(en);
  return ja;
}

// ---- the shapes of the texts in the code ----------------------------------------------------------------------------

/** The text of the call's argument `index` for every call of `fn(` in `src` (brackets and literals matched). */
function callArgs(src: string, fn: string, index: number): string[] {
  const out: string[] = [];
  const re = new RegExp(`(?<![\\w.])${fn.replace('.', '\\.')}\\(`, 'g');
  for (const m of src.matchAll(re)) {
    // The function's own definition is not a call.
    if (src.slice(Math.max(0, m.index - 9), m.index) === 'function ') continue;
    let depth = 0;
    let i = m.index + m[0].length;
    const args: string[] = [];
    let start = i;
    for (; i < src.length; i++) {
      const ch = src[i]!;
      if (ch === "'" || ch === '"' || ch === '`') i = skipLiteral(src, i);
      else if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (depth === 0) break;
        depth--;
      } else if (ch === ',' && depth === 0) {
        args.push(src.slice(start, i));
        start = i + 1;
      }
    }
    args.push(src.slice(start, i));
    if (args[index] !== undefined) out.push(args[index].trim());
  }
  return out;
}

/** The index of a literal's closing quote. */
function skipLiteral(src: string, i: number): number {
  const q = src[i];
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (q === '`' && src[j] === '$' && src[j + 1] === '{') j = closeBrace(src, j + 1);
    else if (src[j] === q) return j;
  }
  return src.length;
}

function closeBrace(src: string, open: number): number {
  let depth = 0;
  for (let j = open; j < src.length; j++) {
    const ch = src[j]!;
    if (ch === "'" || ch === '"' || ch === '`') j = skipLiteral(src, j);
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return j;
  }
  return src.length;
}

/** The literals at the top of an expression (`a ? 'x' : \`y ${z}\`` has two), each with its variants. */
function literalsOf(expr: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = skipLiteral(expr, i);
      const body = expr.slice(i + 1, end);
      if (ch === '`') out.push(...shapesOf(body));
      else out.push(body);
      i = end;
    } else if (ch === '$' && expr[i + 1] === '{') i = closeBrace(expr, i + 1);
  }
  return out;
}

/**
 * The shapes a template literal's body can take: each `${expr}` is `{}`, unless `expr` chooses between literals
 * (`${late ? ' (late)' : ''}`), which gives a shape per choice.
 */
function shapesOf(body: string): string[] {
  let shapes = [''];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '$' && body[i + 1] === '{') {
      const end = closeBrace(body, i + 1);
      const expr = body.slice(i + 2, end);
      const choices = /\?[\s\S]*:/.test(expr) ? literalsOf(expr) : [];
      const parts = choices.length >= 2 && /^[^'"`]*\?/.test(expr) ? choices : ['{}'];
      shapes = shapes.flatMap((s) => parts.map((p) => s + p));
      i = end;
    } else {
      const ch = body[i] === '\\' ? body[++i]! : body[i]!;
      shapes = shapes.map((s) => s + ch);
    }
  }
  return shapes;
}

const shapeOfTemplate = (en: string) => en.replace(/\{\w+\}/g, '{}');

describe('the case texts', () => {
  const tsFiles = readdirSync(path.join(ROOT, 'workflows/case')).filter((f) => f.endsWith('.ts')).map((f) => `workflows/case/${f}`);

  it('have a timeline template for every record() of the case tracks', () => {
    const known = new Set(Object.values(CASE_TEXT_TABLES.timeline).map((t) => shapeOfTemplate(t.en)));
    const found: string[] = [];
    for (const file of tsFiles) {
      for (const arg of callArgs(read(file), 'record', 3)) {
        for (const shape of literalsOf(arg)) found.push(`${file}: ${shape}`);
        // A text that is not a literal would not be checked: none may be.
        expect(literalsOf(arg).length, `${file}: record(…, ${arg})`).toBeGreaterThan(0);
      }
    }
    // Entries written whole, without record() (the case's first one).
    for (const file of [...tsFiles, 'workflows/case-view.ts']) {
      for (const m of read(file).matchAll(/\bsummary: '([^']*)'/g)) found.push(`${file}: ${m[1]}`);
    }
    // The scan really found the calls (a broken pattern would pass an empty list).
    expect(found.length).toBeGreaterThan(40);
    expect(found).toContain('workflows/case/state.ts: incident reported');
    for (const f of found) expect(known, f).toContain(f.slice(f.indexOf(': ') + 2));
  });

  it('word every purpose of the e-mails the case sends', () => {
    const purposes = new Set<string>();
    for (const file of tsFiles) {
      for (const arg of callArgs(read(file), 'queueEmail', 1)) for (const shape of literalsOf(arg)) purposes.add(shape.split(':')[0]!);
    }
    expect(purposes.size).toBeGreaterThan(5);
    for (const p of purposes) expect(MAIL_PURPOSE_JA[p], `queueEmail purpose ${p}`).toBeDefined();
  });

  it('have a reason template for every why of setStatus, assess and deny, and for every change findings make', () => {
    const known = new Set(Object.values(CASE_TEXT_TABLES.reason).map((t) => shapeOfTemplate(t.en)));
    const found: string[] = [];
    for (const file of tsFiles) {
      const src = read(file);
      for (const [fn, index] of [['setStatus', 3], ['assess', 2], ['deny', 2], ['changes.push', 0]] as const) {
        for (const arg of callArgs(src, fn, index)) for (const shape of literalsOf(arg)) found.push(`${file}: ${shape}`);
      }
    }
    expect(found.length).toBeGreaterThan(15);
    for (const f of found) expect(known, f).toContain(f.slice(f.indexOf(': ') + 2));
  });

  it('have every template in both languages, the Japanese in Japanese, with the same parameters', () => {
    const all = caseTextTemplates();
    expect(Object.keys(all).length).toBeGreaterThan(100);
    for (const [key, t] of Object.entries(all)) {
      expect(t.en, key).toMatch(/\S/);
      // A template whose every parameter is worded by its kind (the exclusions' fixed sentences, a fact's key and
      // value) may have no words of its own.
      const worded = [...templateParams(t.en)].every((p) => t.kinds?.[p] !== undefined);
      if (!worded) expect(hasJapanese(t.ja), `${key}: ${t.ja}`).toBe(true);
      expect(templateParams(t.ja), key).toEqual(templateParams(t.en));
      for (const name of Object.keys(t.kinds ?? {})) expect(templateParams(t.en), `${key}: kind of {${name}}`).toContain(name);
    }
  });

  it('word every string of the domain tables the explanations quote', () => {
    for (const en of DOMAIN_WORDS.regime()) expect(REGIME_WORDS_JA[en], `REGIME_RULES: ${en}`).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    for (const en of DOMAIN_WORDS.exclusion()) expect(EXCLUSION_JA[en], `EXCLUSIONS: ${en}`).toBeDefined();
    for (const en of DOMAIN_WORDS.severityWhy()) expect(SEVERITY_WHY_JA[en], `SEVERITY_BANDS: ${en}`).toBeDefined();
  });

  // ---- every template, table-driven: a recorded text, its Japanese, the parameters carried -----------------------

  const ROWS: [CaseTextSource, string, string][] = [
    ['timeline', 'incident reported', '事故の報告'],
    ['timeline', 'case reopened: a late invoice arrived', '事案を再開：a late invoice arrived'],
    [
      'timeline',
      'coverage decision due 2026-11-26T15:00:00.000Z passed undecided: escalated to supervisors',
      '補償判断の期限（2026年11月27日 00:00）を過ぎても未決のため、上長にエスカレーションしました',
    ],
    ['timeline', 'shared note N-3 added', '共有メモ N-3 を追加'],
    [
      'timeline',
      'notice draft (ja) moved on to version 4: the approval of version 3 no longer applies',
      '通知文の下書き（ja）が第4版に変わったため、第3版の承認は無効になりました',
    ],
    ['timeline', 'notice draft (en) edited: version 1 → 2', '通知文の下書き（en）を編集：第1版 → 第2版'],
    ['timeline', 'notice draft (ja) version 2 approved on behalf of 弁護士 佐藤 (document 0123456789ab)', '通知文の下書き（ja）第2版を弁護士 佐藤の代理で承認（文書 0123456789ab）'],
    ['timeline', 'notice draft (ja) version 3 approved (document 0123456789ab)', '通知文の下書き（ja）第3版を承認（文書 0123456789ab）'],
    ['timeline', 'notice approval ignored: this case keeps no notice drafts', '通知文の承認を無視：この事案は通知文の下書きを持ちません'],
    ['timeline', "notice approval refused: counsel-b is not the case's counsel", '通知文の承認を拒否：counsel-b はこの事案の弁護士ではありません'],
    ['timeline', 'notice approval refused: stale_version: notice draft (ja) is at version 3, not 2', '通知文の承認を拒否：stale_version: notice draft (ja) is at version 3, not 2'],
    ['timeline', 'notice approved (ja): sends the approved drafts ja:3, en:2', '本人通知を承認（ja）：承認済みの通知文（ja:3, en:2）を送付'],
    [
      'timeline',
      'filing JP-APPI.regulator.final edited (publicAnnouncement, otherMatters): version 2 → 3',
      '提出書類 JP-APPI.regulator.final を編集（publicAnnouncement, otherMatters）：第2版 → 第3版',
    ],
    [
      'timeline',
      `JP-APPI:regulator:preliminary filed at 2026-11-24T03:00:00Z as filing JP-APPI.regulator.preliminary version 4, document SHA-256 ${'ab'.repeat(32)}`,
      `JP-APPI:regulator:preliminary を 2026年11月24日 12:00 に提出：提出書類 JP-APPI.regulator.preliminary 第4版、文書のSHA-256 ${'ab'.repeat(32)}`,
    ],
    [
      'timeline',
      `JP-APPI:regulator:preliminary filed at 2026-11-24T03:00:00Z (late) as filing JP-APPI.regulator.preliminary version 4, document SHA-256 ${'ab'.repeat(32)}`,
      `JP-APPI:regulator:preliminary を 2026年11月24日 12:00 に提出（期限後）：提出書類 JP-APPI.regulator.preliminary 第4版、文書のSHA-256 ${'ab'.repeat(32)}`,
    ],
    ['timeline', 'document D-1a2b attached (application/pdf, 5120 bytes)', '書類 D-1a2b を添付（PDF、5120バイト）'],
    [
      'timeline',
      'document D-1a2b attached (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, 5120 bytes)',
      '書類 D-1a2b を添付（エクセル表、5120バイト）',
    ],
    ['timeline', 'JP-APPI:regulator:preliminary due 2026-11-25T00:00:00.000Z', 'JP-APPI:regulator:preliminary の期限：2026年11月25日 09:00'],
    ['timeline', 'JP-APPI:regulator:final passed its deadline unmet', 'JP-APPI:regulator:final は期限までに完了しませんでした'],
    ['timeline', 'JP-APPI:persons:notice passed its target unmet', 'JP-APPI:persons:notice は目標期限までに完了しませんでした'],
    ['timeline', 'EU-GDPR:regulator:notice recorded as not required: no EU residents after all', 'EU-GDPR:regulator:notice は不要と記録されました：no EU residents after all'],
    ['timeline', 'JP-APPI:regulator:preliminary filed at 2026-11-24T03:00:00Z (late)', 'JP-APPI:regulator:preliminary を 2026年11月24日 12:00 に提出（期限後）'],
    ['timeline', 'JP-APPI:regulator:preliminary filed at 2026-11-24T03:00:00Z', 'JP-APPI:regulator:preliminary を 2026年11月24日 12:00 に提出'],
    ['timeline', 'e-mail acknowledgement not delivered: 550 mailbox full', 'メール（受付のお知らせ）を配信できませんでした：550 mailbox full'],
    ['timeline', 'e-mail payout-approval:C-1-P1 not delivered: timeout', 'メール（支払承認の依頼：C-1-P1）を配信できませんでした：timeout'],
    ['timeline', 'notice text approved (ja, v3)', '通知文を承認（ja、v3）'],
    ['timeline', 'affected-person list attached: 3 persons (1 duplicates, 2 rejected)', '対象者リストを添付：3人（重複1件、不受理2件）'],
    [
      'timeline',
      'wave 2 attached: 200 persons (100 already in earlier waves, 3 duplicates, 1 rejected)',
      '第2次の対象者リストを添付：200人（以前の通知対象と重複100人、重複3件、不受理1件）',
    ],
    ['timeline', 'announcement recorded (website) with an enquiry desk', '公表を記録（ウェブサイト）、問い合わせ窓口あり'],
    ['timeline', 'announcement recorded (press)', '公表を記録（報道発表）'],
    ['timeline', 'substitute measures needed: 12 persons unreachable', '代替措置が必要：連絡の届かない本人12人'],
    ['timeline', 'substitute measures in place: announcement and enquiry desk recorded', '代替措置を実施：公表と問い合わせ窓口を記録'],
    ['timeline', 'credit monitoring offered: financial-risk items credit_card, online_credentials', 'クレジットモニタリングを提供：財産的被害のおそれがある項目 クレジットカード番号・有効期限、ID・パスワード'],
    ['timeline', 'first credit-monitoring enrolment recorded', 'クレジットモニタリングの最初の申込みを記録'],
    ['timeline', 'prevention plan: access_control, monitoring planned', '再発防止計画：アクセス制御の強化、監視体制の強化を計画'],
    ['timeline', 'prevention reminder: encryption due 2026-12-20T00:00:00.000Z', '再発防止策のリマインダー：データの暗号化（期限 2026年12月20日 09:00）'],
    ['timeline', 'prevention measure staff_training added: planned, due 2027-02-18T00:00:00.000Z', '再発防止策「従業員教育」を追加：予定、期限 2027年2月18日 09:00'],
    ['timeline', 'prevention measure access_control updated: in_progress, due 2026-12-20T00:00:00.000Z', '再発防止策「アクセス制御の強化」を更新：実施中、期限 2026年12月20日 09:00'],
    ['timeline', '12 letters returned undelivered', '12通が宛先不明などで返送'],
    ['timeline', 'letters_returned event refused: dispatch (none) is not an engagement of print-a on this case', '郵便の返送の通知を拒否：依頼 （なし） はこの事案での print-a への依頼ではありません'],
    ['timeline', "campaign progress refused: it does not carry campaign 2's token", '通知キャンペーンの進捗を拒否：キャンペーン2のトークンがありません'],
    ['timeline', 'campaign 1 done: 2 e-mails, 1 letters, 0 failed', 'キャンペーン1完了：メール2通、郵送1通、失敗0件'],
    ['timeline', 'campaign 1 started for 3 persons', 'キャンペーン1を3人に開始'],
    ['timeline', 'consent to apology_payment up to 50000 JPY', '見舞金・金券・見舞品に50000円まで同意'],
    ['timeline', 'consent to apology_payment', '見舞金・金券・見舞品に同意'],
    ['timeline', '2 cost item(s) submitted', '費用項目2件を提出'],
    ['timeline', 'payout C-1-P1 of 300 JPY approved by supervisor', '支払 C-1-P1（300円）を上長が承認'],
    ['timeline', 'payout C-1-P1 of 300 JPY approved', '支払 C-1-P1（300円）を承認'],
    ['timeline', "payout C-1-P1 of 300 JPY exceeds handler-1's authority: awaits a supervisor", '支払 C-1-P1（300円）は handler-1 の権限額を超えるため、上長の承認待ちです'],
    ['timeline', 'payout C-1-P1 paid 200 JPY of 300 requested', '支払 C-1-P1：請求300円のうち200円を支払'],
    ['timeline', 'payout C-1-P1 paid 300 JPY', '支払 C-1-P1：300円を支払'],
    ['timeline', 'triage → response: coverage covered', '状況 初期評価 → 対応中：補償「補償対象」'],
    ['timeline', 'reported → triage: incident reported', '状況 受付 → 初期評価：事故の報告'],
    ['timeline', 'response → closed: notices sent', '状況 対応中 → 終了：notices sent'],
    ['timeline', 'closed → response: reopened: a late invoice arrived', '状況 終了 → 対応中：再開：a late invoice arrived'],
    ['timeline', 'triage → denied: coverage denied: outside_policy_period, terrorism', '状況 初期評価 → 支払対象外：補償対象外：保険期間外、テロ行為'],
    ['timeline', 'triage: severity medium, coverage provisional, 3 obligations', '初期評価：重大度「中」、補償「暫定」、義務3件'],
    ['timeline', 'recomputed after findings: severity high, coverage covered, 2 obligations', '調査結果による再計算：重大度「高」、補償「補償対象」、義務2件'],
    ['timeline', 'findings recorded (no change)', '調査結果を記録（変更なし）'],
    [
      'timeline',
      'findings: persons 100 → 80; occurred at 2026-11-01T00:00:00.000Z; cause misdelivery → external_attack; wrongful purpose confirmed; data found strongly encrypted; residency updated',
      '調査結果：対象者数 100 → 80、発生日時 2026年11月1日 09:00、原因 誤送付・誤送信 → 外部からの不正アクセス、不正の目的を確認、データは高度に暗号化されていた、居住地を更新',
    ],
    ['timeline', 'coverage confirmed: forensics dated the occurrence', '補償を確定：フォレンジック調査で発生日が判明'],
    ['timeline', 'findings F1 refused: the leak cannot start after its discovery', '調査結果 F1 を拒否：the leak cannot start after its discovery'],
    ['timeline', 'findings F1 held for a handler: fewer affected persons than the case holds; a regulatory duty would no longer apply', '調査結果 F1 を担当者の確認待ちとして保留：事案の対象者数より少ない、法令上の義務が適用されなくなる'],
    ['timeline', 'assigned to handler-1', 'handler-1 に割当'],
    ['timeline', 'coverage decided covered (computed provisional): notices sent', '補償を「補償対象」と判断（算定は「暫定」）：notices sent'],
    ['timeline', 'findings F1 of vendor:forensics-a confirmed: notices sent', '委託先 forensics-a の調査結果 F1 を確認：notices sent'],
    ['timeline', 'findings F1 of vendor:forensics-a discarded: notices sent', '委託先 forensics-a の調査結果 F1 を破棄：notices sent'],
    ['timeline', 'no print_and_mail vendor left on the panel: the handler must engage one', 'パネルに印刷・郵送の委託先が残っていません。担当者が依頼してください'],
    ['timeline', 'counsel Sandbox Law Office A (counsel-a) dispatched', '弁護士を Sandbox Law Office A（counsel-a）に依頼'],
    ['timeline', 'forensics forensics-a missed its acknowledgement SLA: replaced', 'フォレンジック調査の forensics-a が受諾期限に応答せず、交代'],
    ['timeline', 'letters_mailed event ignored: vendor print-a is not engaged on this case', '郵送完了の通知を無視：委託先 print-a はこの事案に依頼されていません'],
    ['timeline', 'invoice event refused: dispatch (none) is not an engagement of counsel-a on this case', '請求書の通知を拒否：依頼 （なし） はこの事案での counsel-a への依頼ではありません'],
    ['timeline', 'counsel counsel-a acknowledged', '弁護士の counsel-a が受諾'],
    ['timeline', 'print_and_mail print-a acknowledged', '印刷・郵送の print-a が受諾'],
    ['timeline', 'late acknowledgement ignored (vendor already replaced)', '遅れた受諾を無視（委託先は交代済み）'],
    ['timeline', 'counsel advice recorded', '弁護士の助言を記録'],
    ['timeline', 'invoice INV-1 refused: notification is not the work of a counsel vendor', '請求書 INV-1 を拒否：詫び状作成・通信費は弁護士の委託先の業務ではありません'],
    ['timeline', '1 letters mailed', '1通を郵送'],
    ['timeline', 'invoice of 300 JPY added as a cost item', '300円の請求書を費用項目に追加'],
    ['timeline', 'public_relations pr-a requested: waits for consent to public_relations', '広報の pr-a への依頼を受付：広告宣伝活動費用・風評被害拡大防止費用への同意待ち'],
    ['timeline', 'credit_monitoring is not covered by the policy: invoices of monitoring-a will not be payable', 'クレジットモニタリング費用は契約の補償対象外のため、monitoring-a の請求は支払対象になりません'],
    ['timeline', 'call_center callcenter-a to be engaged: persons asked for a desk', 'コールセンターを callcenter-a に依頼することを決定：persons asked for a desk'],
    ['timeline', 'call_center to be engaged once the panel is loaded: customers call', 'コールセンターへの依頼を受付（委託先パネルの読込後に決定）：customers call'],
    ['timeline', 'engage-vendor call_center refused: no call_center vendor left on the panel', '委託先の依頼（コールセンター）を拒否：no call_center vendor left on the panel'],
    ['timeline', 'public_relations pr-a released: consent to public_relations given', '広告宣伝活動費用・風評被害拡大防止費用への同意あり：広報を pr-a に依頼'],
    ['timeline', 'call centre engaged by rule: 1200 notices, more than 1000', 'コールセンターに依頼：通知1200件（1000件超）'],
    ['timeline', 'call centre callcenter-a opened line 0120-000-333', 'コールセンター callcenter-a が専用回線 0120-000-333 を開設'],
    ['timeline', 'call centre callcenter-a reported 42 enquiries so far', 'コールセンター callcenter-a の問い合わせ累計42件'],
    ['timeline', 'enquiries report of callcenter-a ignored: it is not the engaged call centre', 'callcenter-a の問い合わせ件数の報告を無視：依頼中のコールセンターではありません'],
    ['timeline', 'command assign refused: it carries no signature of the API', '操作 assign を拒否：APIの署名がありません'],
    ['timeline', 'vendor event invoice refused: it was issued too long ago (a replay)', '委託先からの通知（請求書）を拒否：発行が古すぎます（再送攻撃のおそれ）'],
    ['timeline', 'a message that is not a command refused: it was issued in the future', '操作ではないメッセージを拒否：発行日時が未来です'],
    ['timeline', 'a message that is not a vendor event refused: it was issued in the future', '委託先からの通知ではないメッセージを拒否：発行日時が未来です'],
    // What a refusal names is carried as it came when no template words it.
    ['timeline', 'something refused: it was issued in the future', 'something を拒否：発行日時が未来です'],
    ['timeline', 'triage → denied: coverage denied on findings: before_retroactive_date', '状況 初期評価 → 支払対象外：調査結果により補償対象外：遡及日より前'],
    ['timeline', 'response → denied: coverage denied by decision', '状況 対応中 → 支払対象外：判断により補償対象外'],
    ['timeline', 'triage → response: coverage confirmed', '状況 初期評価 → 対応中：補償を確定'],
    ['timeline', 'response → settlement: costs submitted', '状況 対応中 → 精算中：費用の提出'],
    ['timeline', 'response → settlement: payout approved', '状況 対応中 → 精算中：支払の承認'],
    ['timeline', 'persons notified: severity low, coverage covered, 1 obligations', '本人への通知：重大度「低」、補償「補償対象」、義務1件'],
    [
      'timeline',
      'findings: data items + credit_card, passport_number; wrongful purpose ruled out; data found not (strongly) encrypted',
      '調査結果：漏えい項目の追加：クレジットカード番号・有効期限、旅券番号、不正の目的を否定、データは（高度に）暗号化されていなかった',
    ],
    [
      'obligation',
      'Japan APPI (個人情報保護法 Art. 26): final report to the PPC (確報), to Personal Information Protection Commission (PPC, 個人情報保護委員会). In scope: sensitive data (要配慮個人情報). Triggered: high risk: EP x >= 2 or y >= 2, or sensitive data (EP x=2, y=1). Due 2026-11-25 09:00 JST: at the time of the notice to persons (longer period because of wrongful_purpose). Legal deadline. Reminder 2026-11-24 09:00 JST.',
      '個人情報保護法（第26条）：個人情報保護委員会への確報（宛先：個人情報保護委員会（PPC））。適用範囲：要配慮個人情報。該当：高いリスク：EP の精神的苦痛か経済的損失のレベルが2以上、または要配慮情報（EP 精神的苦痛2・経済的損失1）。期限 2026年11月25日 09:00：本人への通知と同時（不正の目的のおそれのため長い期間）。法定の期限です。督促 2026年11月24日 09:00。',
    ],
    ['severity', '1,200 affected persons: medium (more than 1,000 persons: reportable under APPI on count alone).', '対象者1,200人：重大度「中」（1,000人超：人数だけでAPPIの報告対象）。'],
    ['severity', 'Kept within the scale: critical.', '尺度の範囲内に調整：「重大」。'],
    ['coverage', 'discoveredAt: 2026-11-20T00:00:00.000Z', '発見日時：2026年11月20日 09:00'],
    ['coverage', 'terrorism: no', 'テロ行為：なし'],
    ['coverage', 'Denied on 2 grounds: war_or_riot, terrorism.', '補償対象外（理由2件）：戦争・暴動、テロ行為。'],
    ['settlement', 'the policy period limit shared by all cases of this policy had less left at payment', 'この契約のすべての事案で共有する保険期間の限度額が、支払時点で不足していました'],
  ];

  it.each(ROWS)('reads %s: %s', (source, en, ja) => {
    expect(readJa(source, en)).toBe(ja);
    expect(caseText(source, en, 'en')).toBe(en);
  });

  it('have a row above for every timeline template', () => {
    const ids = new Set<string>();
    for (const [source, en] of ROWS) {
      if (source !== 'timeline') continue;
      for (const [id, t] of Object.entries(CASE_TEXT_TABLES.timeline)) {
        const re = new RegExp(`^${t.en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\w+\\\}/g, '[\\s\\S]+?')}$`);
        if (re.test(en)) {
          ids.add(id);
          break;
        }
      }
    }
    expect([...ids].sort()).toEqual(Object.keys(CASE_TEXT_TABLES.timeline).sort());
  });

  // ---- the rules' generators, run ---------------------------------------------------------------------------------

  it('word every severity reason the rules give', () => {
    const seen = new Set<string>();
    for (const affectedPersons of [10, 1_200, 20_000, 200_000]) {
      for (const dataItems of [['name'], ['health_checkup'], ['credit_card'], ['health_checkup', 'credit_card']] as const) {
        for (const cause of ['misdelivery', 'external_attack'] as const) {
          for (const encrypted of [false, true]) {
            for (const r of computeSeverity({ affectedPersons, dataItems, cause, encrypted }).reasons) seen.add(r);
          }
        }
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    for (const r of seen) expectJapanese('severity', r);
  });

  it('word every coverage explanation and fact the rules give', () => {
    const policy = samplePolicy();
    const seen = new Set<string>();
    const flags = ['directedByInsuredOfficers', 'warOrRiot', 'terrorism', 'naturalCatastrophe', 'knownBeforeInception', 'contractualLiability', 'bodilyInjuryOrPropertyDamage'];
    const cases = [
      { discoveredAt: AWARE, occurredAt: null, circumstances: {} },
      { discoveredAt: AWARE, occurredAt: '2026-11-01T00:00:00Z', circumstances: {} },
      { discoveredAt: '2028-01-01T00:00:00Z', occurredAt: '2020-01-01T00:00:00Z', circumstances: Object.fromEntries(flags.map((f) => [f, true])) },
      { discoveredAt: AWARE, occurredAt: '2026-11-01T00:00:00Z', circumstances: { contractualLiability: true }, claimMadeAt: '2030-01-01T00:00:00Z' },
      { discoveredAt: AWARE, occurredAt: '2026-11-01T00:00:00Z', circumstances: { terrorism: true } },
    ];
    for (const p of [policy, samplePolicy({ coversTerrorism: true })]) {
      for (const facts of cases) {
        const a = assessCoverage(p, facts);
        for (const e of [...a.explanations, ...a.liability.explanations]) seen.add(e);
        for (const [k, v] of Object.entries(a.facts)) seen.add(`${k}: ${v}`);
        for (const g of a.grounds) [g.explanation, ...g.facts].forEach((x) => seen.add(x));
        seen.add(applyCoverageOverride(a, { decision: 'covered', reason: 'notices sent', by: 'handler-1', at: AWARE }).effective.explanation);
      }
    }
    expect(seen.size).toBeGreaterThan(30);
    for (const e of seen) expectJapanese('coverage', e);
  });

  it('word every sentence of every obligation explanation, in every regime', () => {
    const residency = { JP: 900, EU: 600, 'US-CA': 600, 'US-NY': 600, 'US-TX': 600, SG: 600, AU: 600, KR: 1_200 };
    const variants: ObligationFacts[] = [
      baseFacts({ affectedPersons: 1_200, residency, dataItems: ['name', 'health_checkup', 'credit_card', 'passport_number'], cause: 'external_attack' }),
      baseFacts({ affectedPersons: 5_000, residency, cause: 'external_attack', wrongfulPurpose: true, notifiableDecidedAt: '2026-11-21T00:00:00Z', personsNotifiedAt: { 'US-CA': '2026-11-22T00:00:00Z', 'US-NY': '2026-11-22T00:00:00Z' } }),
      baseFacts({ affectedPersons: 10, residency: { JP: 10 }, dataItems: ['health_checkup'] }),
    ];
    const regimes = new Set<string>();
    let n = 0;
    for (const facts of variants) {
      for (const o of computeObligations(facts)) {
        regimes.add(o.regime);
        n++;
        expectJapanese('obligation', o.explanation, o.id);
      }
    }
    expect([...regimes].sort()).toEqual(REGIME_RULES.map((r) => r.regime).sort());
    expect(n).toBeGreaterThan(15);
  });

  it('word every settlement step the arithmetic writes', () => {
    const policy = samplePolicy({
      liability: { perClaimLimitJpy: 1_000_000, periodLimitJpy: 1_000_000, deductibleJpy: 100_000 },
      categories: {
        forensic_investigation: { limitJpy: 1_000_000, payoutRatio: 0.9, consentRequired: false },
        apology_payment: { limitJpy: 10_000_000, payoutRatio: 1.0, consentRequired: true, perVictimCapJpy: 500 },
        liability_damages: { limitJpy: 1_000_000, payoutRatio: 1.0, consentRequired: false },
      },
    });
    const item = (lineId: string, category: string, amountJpy: number, extra: object = {}) => ({ lineId, category, amountJpy, evidenceRef: 'INV-1', ...extra }) as never;
    const seen = new Set<string>();
    for (const consents of [[], [{ category: 'apology_payment', limitJpy: 100_000 }]] as never[][]) {
      const s = computeSettlement({
        policy,
        consents,
        items: [
          item('l1', 'forensic_investigation', 2_000_000, { evidencedJpy: 1_500_000 }),
          item('l2', 'apology_payment', 600_000, { persons: 1_200 }),
          item('l3', 'apology_payment', 600_000),
          item('l4', 'notification', 1_000),
          item('l5', 'liability_damages', 200_000),
          item('l6', 'liability_damages', 200_000),
          item('l7', 'forensic_investigation', 1_000, { evidenceRef: ' ' }),
        ],
        paid: { incident: emptyLedger(), period: emptyLedger() },
      });
      for (const l of s.lines) for (const st of l.steps) seen.add(st.explanation);
    }
    expect(seen.size).toBeGreaterThan(12);
    for (const e of seen) expectJapanese('settlement', e);
  });

  it('used every template of every table to read the texts above (none is dead, none untested)', () => {
    expect([...Object.keys(caseTextTemplates())].filter((id) => !USED.has(id))).toEqual([]);
  });

  it('localize a view and a timeline without changing them, English as recorded', () => {
    const view = {
      caseId: 'C-1',
      severityReasons: ['Severity: high.'],
      coverage: { decision: 'covered', reasons: [], explanations: ['Covered: no exclusion applies.'], facts: ['terrorism: no'] },
      obligations: [],
      payouts: [],
    } as never;
    const frozen = JSON.stringify(view);
    const ja = localizeView(view, 'ja') as { severityReasons: string[]; coverage: { explanations: string[]; facts: string[] } };
    expect(ja.severityReasons).toEqual(['重大度：「高」。']);
    expect(ja.coverage.explanations).toEqual(['補償対象：該当する免責事由はありません。']);
    expect(ja.coverage.facts).toEqual(['テロ行為：なし']);
    expect(JSON.stringify(view)).toBe(frozen);
    expect(localizeView(view, 'en')).toBe(view);
    const timeline = [{ at: AWARE, type: 'assign', actor: 'handler-1', summary: 'assigned to handler-1' }];
    expect(localizeTimeline(timeline, 'ja')[0]!.summary).toBe('handler-1 に割当');
    expect(localizeTimeline(timeline, 'en')).toEqual(timeline);
    // A text no template wrote stays as it came.
    expect(caseText('timeline', 'something else entirely', 'ja')).toBe('something else entirely');
  });
});
