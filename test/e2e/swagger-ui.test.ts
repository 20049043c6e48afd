/**
 * Swagger UI in a real browser: headless Debian Chromium driven by playwright-core, against a
 * test stack's own API process. The page lists the operations, takes the stack's admin key
 * through Authorize, and "Try it out" on GET /v1/jobs shows a 200 listing the built-in job.
 * The screenshot goes to test-output/swagger-ui.png; with DROVER_UPDATE_SCREENSHOT=1 also to
 * docs/swagger-ui.png, the README's (CI leaves it unset, so a run does not change the tree).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(process.cwd(), 'test-output', 'swagger-ui.png');
const README_SCREENSHOT = join(process.cwd(), 'docs', 'swagger-ui.png');
/** What the UI must list: operations of each area the issue names. */
const OPERATIONS = ['GET /v1/jobs', 'GET /v1/jobs/{jobId}', 'PUT /v1/jobs/{jobId}', 'POST /v1/processes', 'GET /v1/processes/{processId}', 'GET /v1/schedules', 'POST /v1/schedules', 'GET /v1/audit', 'GET /healthz'];

let stack: TestStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Not there on a machine ensure.mjs has not prepared for `npm test` (a focused jest run): install it now, or fail saying why.
  if (!existsSync(CHROMIUM)) execFileSync(process.execPath, [join(process.cwd(), 'scripts', 'ensure-chromium.mjs')], { stdio: 'inherit' });
  stack = await startTestStack({ worker: false });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('Swagger UI at /docs', () => {
  it('lists the operations, takes a key through Authorize, and Try it out on GET /v1/jobs shows a 200', async () => {
    const { url, key } = stack.file.api!;
    await page.goto(`${url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 60_000 });
    const listed = await page.locator('.opblock-summary').evaluateAll((els) =>
      els.map((e) => `${e.querySelector('.opblock-summary-method')?.textContent ?? ''} ${e.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''}`),
    );
    expect(listed).toEqual(expect.arrayContaining(OPERATIONS));

    await page.locator('.auth-wrapper button.authorize').click();
    const modal = page.locator('.modal-ux');
    await modal.locator('input').first().fill(key);
    await modal.locator('button.modal-btn.auth.authorize').click();
    await modal.locator('button.btn-done').click();
    expect(await page.locator('.auth-wrapper button.authorize.locked').count()).toBe(1);

    const op = page.locator('#operations-jobs-listJobs');
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    // The server's answer: the live table's row (its header row has the same column classes).
    const live = op.locator('.live-responses-table tr.response').first();
    await live.waitFor({ timeout: 60_000 });
    expect((await live.locator('.response-col_status').textContent())?.trim()).toBe('200');
    const body = JSON.parse((await live.locator('.response-col_description pre').first().textContent()) ?? 'null') as { items: Array<{ jobId: string; builtIn: boolean }> };
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ jobId: 'credit-check', builtIn: true })]));
    // Swagger UI sent the key it was given: the request it shows carries it.
    expect(await op.locator('.curl-command').textContent()).toContain(`Bearer ${key}`);

    // The page from its top to the end of the response: the title, the locked Authorize, the request and its 200.
    await page.evaluate('window.scrollTo(0, 0)');
    const box = (await op.locator('.responses-inner > div').first().boundingBox())!;
    mkdirSync(join(process.cwd(), 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 16) } });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    if (/^(1|true|yes|on)$/i.test(process.env.DROVER_UPDATE_SCREENSHOT ?? '')) {
      mkdirSync(join(process.cwd(), 'docs'), { recursive: true });
      copyFileSync(SCREENSHOT, README_SCREENSHOT);
    }
  }, 180_000);
});
