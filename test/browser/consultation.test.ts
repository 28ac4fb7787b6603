/**
 * The consultation path in a real browser (Debian's chromium driven by playwright-core) against the real stack, in
 * the style of pages.test.ts: an insured finds "相談する / Ask for help" beside the incident report, asks for help in
 * Japanese and in English (errors beside their fields), sees its consultations; a handler sees the open ones on its
 * desk and acknowledges one. Screenshots in both languages go to test-results/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { as, startStack, type Stack } from '../support/stack.js';
import { policyBody, uniqueId } from '../support/fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'test-results/screenshots';

let stack: Stack;
let browser: Browser;
let policyNumber: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const opened: Record<'ja' | 'en', string> = { ja: '', en: '' };

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
  policyNumber = uniqueId('PL');
  expect((await as(stack, 'admin')('PUT', `/v1/policies/${policyNumber}`, policyBody())).status).toBe(201);
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

async function signIn(principal: string, locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, timezoneId: 'Asia/Tokyo' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${principal}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|ERR_FAILED/.test(m.text())) pageErrors.push(`${principal}: ${m.text()}`);
  });
  await page.goto(`${stack.url}/`);
  await page.locator('#key').fill(stack.keys[principal]!);
  await page.locator('#login button[type=submit]').press('Enter');
  await page.waitForURL(/\/ui\//);
  return page;
}

const WORDS = {
  ja: { ask: '相談する', title: '事故相談窓口（24時間受付）', required: '入力してください。', waiting: '受付待ち', received: '相談番号', desk: '受付待ちの相談（事故相談窓口）', ack: '受付確認' },
  en: { ask: 'Ask for help', title: '24-hour consultation desk', required: 'Required.', waiting: 'Waiting', received: 'Received as consultation', desk: 'Consultations waiting (24-hour desk)', ack: 'Acknowledge' },
} as const;

describe('the consultation path in chromium', () => {
  for (const l of ['ja', 'en'] as const) {
    it(`insured (${l}): "${WORDS[l].ask}" beside the incident report, errors beside fields, a consultation opened and listed`, { timeout: 90_000 }, async () => {
      const w = WORDS[l];
      const page = await signIn('insured-ins-001', l === 'ja' ? 'ja-JP' : 'en-GB');
      expect(new URL(page.url()).pathname).toBe('/ui/report');
      const ask = page.getByTestId('ask-help');
      await expect.poll(() => ask.textContent()).toBe(w.ask);
      // Also in the header's pages, beside the incident report.
      expect(await page.locator('nav a').allTextContents()).toContain(w.ask);
      await ask.click();
      await page.waitForURL(/\/ui\/consult$/);
      await expect.poll(() => page.locator('h1').textContent()).toBe(w.title);
      expect(await page.locator('html').getAttribute('lang')).toBe(l);

      // Nothing filled in: errors beside the fields, no request made.
      await page.locator('#submit-consult').click();
      await expect.poll(() => page.locator('#err-summary').textContent()).toBe(w.required);
      expect(await page.locator('#err-policyNumber').textContent()).toBe(w.required);

      // The server's answer lands beside its field (an unknown policy).
      await page.locator('#policyNumber').fill('PL-UNKNOWN-9');
      await page.locator('#summary').fill(l === 'ja' ? '管理画面に見覚えのないログイン履歴があります。漏えいかどうか相談したいです。' : 'Unknown logins in our admin console; is this a leak?');
      await page.locator('#awareAt').fill('2026-01-05T09:30');
      await page.locator('#contact-name').fill(l === 'ja' ? '総務 花子' : 'Hanako Soumu');
      await page.locator('#contact-email').fill('hanako@example.co.jp');
      await page.locator('#submit-consult').click();
      await expect.poll(() => page.locator('#err-policyNumber').textContent()).not.toBe('');
      expect(await page.locator('#policyNumber').getAttribute('aria-invalid')).toBe('true');

      await page.locator('#policyNumber').fill(policyNumber);
      await page.locator('#submit-consult').click();
      await page.locator('#opened').waitFor({ state: 'visible' });
      const summary = (await page.getByTestId('opened-summary').textContent())!;
      expect(summary).toContain(w.received);
      const id = /Q[A-Z0-9]+-[A-Z0-9]+|Q[A-Z0-9]{26}/.exec(summary)?.[0];
      expect(id, summary).toBeDefined();
      opened[l] = id!;
      // Listed as waiting, with its acknowledgement clock.
      await expect.poll(() => page.locator('#my-consultations').textContent(), { timeout: 20_000 }).toContain(id!);
      expect(await page.locator('#my-consultations').textContent()).toContain(w.waiting);
      // The awareness time was read as Japan time.
      const view = await as(stack, 'insured-ins-001')('GET', `/v1/consultations/${id!}`);
      expect(view.json.awareAt).toBe('2026-01-05T00:30:00.000Z');
      await page.screenshot({ path: `${SHOTS}/consult-${l}.png`, fullPage: true });
      // On a phone the page fits its width (the list stacks into cards).
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${SHOTS}/consult-${l}-390.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${stack.url}/ui/report`);
      await page.getByTestId('ask-help').waitFor();
      await page.locator('.page-head').screenshot({ path: `${SHOTS}/report-ask-help-${l}.png` });
    });
  }

  for (const l of ['ja', 'en'] as const) {
    it(`handler (${l}): the desk shows the open consultations and acknowledges one`, { timeout: 90_000 }, async () => {
      const w = WORDS[l];
      const id = opened[l];
      expect(id).not.toBe('');
      const page = await signIn('handler', l === 'ja' ? 'ja-JP' : 'en-GB');
      expect(new URL(page.url()).pathname).toBe('/ui/dashboard');
      const card = page.locator('#consultations-card');
      await expect.poll(() => card.locator('h2').textContent(), { timeout: 20_000 }).toBe(w.desk);
      await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain(id);
      // The work queue names it too, as a consultation to acknowledge.
      await expect.poll(() => page.locator(`#work tr[data-task=consultation_ack][data-case="${id}"]`).count(), { timeout: 20_000 }).toBe(1);
      await card.screenshot({ path: `${SHOTS}/desk-consultations-${l}.png` });
      await card.locator(`button[data-consultation="${id}"]`).click();
      await expect.poll(async () => (await as(stack, 'handler')('GET', `/v1/consultations/${id}`)).json.status as string, { timeout: 20_000 }).toBe('acknowledged');
      await expect.poll(() => card.textContent(), { timeout: 20_000 }).not.toContain(id);
      expect(w.ack).toBeTruthy();
    });
  }

  it('raised no script error and no CSP violation', () => {
    expect(pageErrors).toEqual([]);
  });
});
