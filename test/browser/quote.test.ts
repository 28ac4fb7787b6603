/**
 * The quote page (/ui/quote) in a real browser (Debian's chromium via playwright-core) against the real stack: an
 * insured opens it from the header, fills the form, sees a server error beside its field, gets the plans, the chart
 * of the scenarios against the plans, the arithmetic and the prevention recommendations (its self-assessment filling
 * the measures it left open), in Japanese and English at 1280 and 390 px. Screenshots go to test-results/screenshots/
 * (`quote-{ja,en}-{1280,390}.png`).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { computeQuote, QUOTE_INDUSTRIES } from '../../domain/index.js';
import { as, startStack, type Stack } from '../support/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'test-results/screenshots';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  await mkdir(SHOTS, { recursive: true });
  [stack, browser] = await Promise.all([
    startStack(),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  // The insured's self-assessment: MFA in place, EDR not; the page leaves both open and the quote takes them from here.
  const sa = await as(stack, 'insured-ins-001')('POST', '/v1/insureds/ins-001/self-assessment', {
    answers: { encryptionAtRest: false, mfa: true, edr: false, staffTraining: false, accessReviews: false },
  });
  expect(sa.status).toBe(201);
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

async function signIn(principal: string, viewport: { width: number; height: number }, locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Asia/Tokyo' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${principal}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${principal}: ${m.text()}`);
  });
  await page.goto(`${stack.url}/`);
  await page.locator('#key').fill(stack.keys[principal]!);
  await page.locator('#login button[type=submit]').press('Enter');
  await page.waitForURL(/\/ui\//);
  return page;
}

const LATIN_ALLOWED = new Set(['JNSA', 'EDR', 'ID', 'JST', 'APPI', 'PPC', 'API', 'ja', 'en']);
const PHRASES_ALLOWED = ['breach-claims', 'English'];

/** Latin-script words on a Japanese page outside the allowed codes, ids (with digits) and the data the test entered. */
async function latinWords(page: Page, data: string[]): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest('script, style, [hidden]')) continue;
      out.push(n.nodeValue ?? '');
    }
    document.querySelectorAll('[aria-label]').forEach((e) => out.push(e.getAttribute('aria-label') ?? ''));
    out.push(document.title.replace('Choosing a plan', ''));
    return out;
  });
  const words: string[] = [];
  for (let text of texts) {
    for (const phrase of [...PHRASES_ALLOWED, ...data]) text = text.split(phrase).join(' ');
    for (const token of text.match(/[A-Za-z][A-Za-z0-9_.-]*/g) ?? []) {
      const w = token.replace(/[.-]+$/, '');
      if (/\d/.test(w) || w.length < 2 || LATIN_ALLOWED.has(w)) continue;
      words.push(w);
    }
  }
  return [...new Set(words)];
}

async function fits(page: Page): Promise<{ doc: number; viewport: number; h1Cut: boolean }> {
  return page.evaluate(() => {
    const h1 = document.querySelector('h1');
    const box = h1?.getBoundingClientRect();
    return {
      doc: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      viewport: window.innerWidth,
      h1Cut: !h1 || h1.scrollWidth > h1.clientWidth + 1 || (box?.right ?? 0) > window.innerWidth + 1,
    };
  });
}

const REQUEST = {
  industry: 'retail_ecommerce' as const,
  employees: 120,
  annualRevenueJpy: 3_000_000_000,
  recordSets: [{ label: '会員', dataItems: ['name', 'address', 'credit_card'] as const, persons: 100_000 }],
};

async function fillForm(page: Page, persons: number): Promise<void> {
  await page.locator('#industry').selectOption(REQUEST.industry);
  await page.locator('#employees').fill(String(REQUEST.employees));
  await page.locator('#annualRevenueJpy').fill(String(REQUEST.annualRevenueJpy));
  const set = page.locator('.record-set').first();
  await set.locator('[name=label]').fill(REQUEST.recordSets[0]!.label);
  await set.locator('[name=persons]').fill(String(persons));
  for (const item of REQUEST.recordSets[0]!.dataItems) await set.locator(`[name=dataItems][value="${item}"]`).check();
  // Encryption and staff training answered here; MFA and EDR left to the self-assessment, access reviews too.
  await page.locator('#m-encryptionAtRest').selectOption('yes');
  await page.locator('#m-staffTraining').selectOption('no');
}

describe('the quote page in chromium', () => {
  it('is linked from the insured’s pages and lists the domain’s industries', async () => {
    const page = await signIn('insured-ins-001', { width: 1280, height: 900 }, 'ja-JP');
    await page.locator('#top nav a[href="/ui/quote"]').click();
    await page.waitForURL(/\/ui\/quote/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('保険プランの見積り');
    const options = await page.locator('#industry option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual([...QUOTE_INDUSTRIES]);
    // Ops have no quote page: no link, and the page says so.
    const ops = await signIn('ops', { width: 1280, height: 900 }, 'ja-JP');
    expect(await ops.locator('#top nav a[href="/ui/quote"]').count()).toBe(0);
  });

  it('shows a server refusal beside its field', async () => {
    const page = await signIn('insured-ins-001', { width: 1280, height: 900 }, 'en-US');
    await page.goto(`${stack.url}/ui/quote`);
    await fillForm(page, 200_000_000);
    await page.locator('#submit-quote').click();
    const error = page.locator('.record-set .field-error[data-path="/recordSets/0/persons"]');
    await expect.poll(() => error.textContent()).toMatch(/\S/);
    expect(await page.locator('#set-0-persons').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#result').isHidden()).toBe(true);
  });

  const want = computeQuote({
    ...REQUEST,
    recordSets: REQUEST.recordSets.map((s) => ({ ...s, dataItems: [...s.dataItems] })),
    measures: { encryptionAtRest: true, mfa: true, edr: false, staffTraining: false, accessReviews: false },
  });
  const rec = want.plans.find((p) => p.recommended)!;
  const yen = (n: number) => `¥${new Intl.NumberFormat('ja-JP').format(n)}`;

  for (const l of ['ja', 'en'] as const) {
    it(`quotes in ${l === 'ja' ? 'Japanese' : 'English'} at 1280 and 390 px: plans, chart, arithmetic, recommendations`, { timeout: 120_000 }, async () => {
      for (const width of [1280, 390]) {
        const page = await signIn('insured-ins-001', { width, height: 900 }, l === 'ja' ? 'ja-JP' : 'en-US');
        await page.goto(`${stack.url}/ui/quote`);
        await fillForm(page, REQUEST.recordSets[0]!.persons);
        await page.locator('#submit-quote').click();
        await page.locator('#result').waitFor({ state: 'visible' });
        await page.waitForURL(/\?quote=Q[0-9a-f]{24}/);

        const recommendation = await page.locator('#recommendation').textContent();
        expect(recommendation).toContain(yen(rec.liabilityLimitJpy));
        expect(recommendation).toContain(yen(rec.responseCostLimitJpy));
        // One row per plan, the recommended one marked.
        expect(await page.locator('#plans tbody tr').count()).toBe(want.plans.length);
        expect(await page.locator('#plans tbody tr.recommended-row').count()).toBe(1);
        const lower = want.plans.find((p) => p.position === 'lower')!;
        expect(await page.locator('#plans tbody tr').first().textContent()).toContain(yen(lower.uncoveredInSevereJpy));

        // The chart: two SVGs (liability and response costs), a bar per scenario, a line per plan at its limit.
        for (const kind of ['liability', 'response']) {
          const chart = page.locator(`svg.quote-chart[data-kind="${kind}"]`);
          expect(await chart.locator('rect[data-scenario]').count()).toBe(want.scenarios.length);
          const amounts = await chart.locator('rect[data-scenario]').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-amount'))));
          expect(amounts).toEqual(want.scenarios.map((s) => (kind === 'liability' ? s.liabilityJpy : s.responseCostsJpy)));
          const limits = await chart.locator('line[data-limit]').evaluateAll((ls) => ls.map((x) => Number(x.getAttribute('data-limit'))));
          expect(limits).toEqual(want.plans.map((p) => (kind === 'liability' ? p.liabilityLimitJpy : p.responseCostLimitJpy)));
          // The severe bar reaches above the typical one (a smaller y on screen).
          const ys = await chart.locator('rect[data-scenario]').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('y'))));
          expect(ys[1]!).toBeLessThan(ys[0]!);
        }

        // The arithmetic in the page's language, straight from the quote's steps.
        const severe = want.scenarios.find((s) => s.name === 'severe')!;
        const liabilityStep = severe.steps.find((s) => s.code === 'liability')!;
        await page.locator('#arithmetic details').nth(2).locator('summary').click();
        expect(await page.locator('#arithmetic').textContent()).toContain(liabilityStep.text[l]);

        // Measures: what the form said, what the self-assessment said, and the rest as recommendations.
        const prevention = (await page.locator('#prevention').textContent())!;
        expect(prevention).toContain(l === 'ja' ? '自己診断' : 'self-assessment');
        const recommended = await page.locator('#prevention li[data-measure]').evaluateAll((li) => li.map((x) => (x as HTMLElement).dataset['measure']));
        expect(recommended).toEqual(['edr', 'staffTraining', 'accessReviews']);

        const f = await fits(page);
        expect(f.doc, `quote ${l} ${width}: page wider than the viewport`).toBeLessThanOrEqual(f.viewport);
        expect(f.h1Cut).toBe(false);
        if (l === 'ja') expect(await latinWords(page, ['insured-ins-001', 'ins-001'])).toEqual([]);
        await page.screenshot({ path: `${SHOTS}/quote-${l}-${width}.png`, fullPage: true });
        await page.locator('#charts').screenshot({ path: `${SHOTS}/quote-chart-${l}-${width}.png` });

        // Switching language redraws the result in the other language without asking again.
        const other = l === 'ja' ? 'en' : 'ja';
        await page.locator(`#top button[data-lang="${other}"]`).click();
        await expect.poll(() => page.locator('#h-result').textContent()).toBe(other === 'ja' ? '推奨プラン' : 'Recommended plan');
        expect(await page.locator('#arithmetic').textContent()).toContain(severe.steps[0]!.text[other]);
        await page.locator(`#top button[data-lang="${l}"]`).click();

        // The quote is kept: the page's address opens it again.
        await page.reload();
        await page.locator('#result').waitFor({ state: 'visible' });
        expect(await page.locator('#recommendation').textContent()).toBe(recommendation);
      }
    });
  }

  it('the insured keeps its self-assessment and training records on the page, and they feed the next quote', { timeout: 60_000 }, async () => {
    for (const [l, width] of [['ja', 1280], ['en', 390]] as const) {
      const page = await signIn('insured-ins-001', { width, height: 900 }, l === 'ja' ? 'ja-JP' : 'en-US');
      await page.goto(`${stack.url}/ui/quote`);
      const status = page.locator('#assessment-status');
      await expect.poll(() => status.textContent()).toMatch(l === 'ja' ? /回答済み（第\d+版）/ : /Answered .* JST \(version \d+\)/);
      // The saved answers are shown: MFA yes, EDR no.
      expect(await page.locator('#a-mfa').isChecked()).toBe(true);
      expect(await page.locator('#a-edr').isChecked()).toBe(false);
      const before = (await as(stack, 'insured-ins-001')('GET', '/v1/insureds/ins-001/self-assessment')).json as { assessment: { version: number } };
      await page.locator('#a-accessReviews').check();
      await page.locator('#save-assessment').click();
      await expect.poll(() => status.textContent()).toContain(l === 'ja' ? `第${before.assessment.version + 1}版` : `version ${before.assessment.version + 1}`);

      // A training record: a blank course is refused beside its field, then the record is added and listed.
      const person = l === 'ja' ? '高橋 美咲' : 'Misaki Takahashi';
      await page.locator('#training-person').fill(person);
      await page.locator('#training-date').fill('2026-11-10');
      await page.locator('#add-training').click();
      await expect.poll(() => page.locator('#err-training-course').textContent()).toMatch(/\S/);
      await page.locator('#training-course').fill(l === 'ja' ? '標的型メール訓練' : 'Phishing drill');
      await page.locator('#add-training').click();
      await expect.poll(() => page.locator('#training-list').textContent()).toContain(person);
      expect(await page.locator('#training-list').textContent()).toContain(l === 'ja' ? '2026年11月10日' : '10 Nov 2026');
      const f = await fits(page);
      expect(f.doc, `records ${l} ${width}`).toBeLessThanOrEqual(f.viewport);
      if (l === 'ja') expect(await latinWords(page, ['insured-ins-001', 'ins-001'])).toEqual([]);
      await page.locator('#prevention-records').screenshot({ path: `${SHOTS}/quote-records-${l}-${width}.png` });
    }
    const records = (await as(stack, 'insured-ins-001')('GET', '/v1/insureds/ins-001/training')).json as { records: { person: string; completedAt: string }[] };
    expect(records.records.map((r) => r.person)).toEqual(['高橋 美咲', 'Misaki Takahashi']);
    expect(records.records[0]!.completedAt).toBe('2026-11-09T15:00:00.000Z');
    // The next quote takes staff training from the records and access reviews from the new answers.
    const q = await as(stack, 'insured-ins-001')('POST', '/v1/quotes', { ...REQUEST, recordSets: REQUEST.recordSets.map((x) => ({ ...x, dataItems: [...x.dataItems] })) });
    expect((q.json as { measureSources: Record<string, string> }).measureSources).toMatchObject({ staffTraining: 'training_records', accessReviews: 'self_assessment' });
    expect((q.json as { measures: Record<string, boolean> }).measures).toMatchObject({ staffTraining: true, accessReviews: true, edr: false });
  });

  it('raised no script error and no CSP violation', () => {
    expect(pageErrors).toEqual([]);
  });
});
