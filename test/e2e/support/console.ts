// What every browser test of the console shares: a real server on 127.0.0.1 over a fresh SQLite
// file (the APIs and the built pages of web/dist), headless Chromium from @sparticuz/chromium
// driven by playwright-core, and small helpers (client-side navigation, waiting for a text or a
// drawn chart, logging in through the form, screenshots for docs/screenshots/).
//
// The pages know they are being tested from navigator.webdriver (true under playwright): the
// charts then draw without animation, so a screenshot or an assertion sees the final bars.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';
import { buildServer, type ServerDeps } from '../../../src/http/server.ts';
import { openStore, migrateToLatest, type Store } from '../../../src/store/index.ts';
import type { Recognizer } from '../../../src/recognition/index.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const shotsDir = path.join(root, 'docs/screenshots');
/** screenshots for docs/screenshots/ are taken only with SHIMING_SCREENSHOTS=1 (they slow the run) */
export const SCREENSHOTS = process.env.SHIMING_SCREENSHOTS === '1';

export interface ConsoleEnv {
  dataDir: string;
  config: Config;
  store: Store;
  app: FastifyInstance;
  /** http://127.0.0.1:port: the buyer's pages */
  base: string;
  /**
   * http://localhost:port: the operator's pages on another host name, because chromium's
   * --single-process shares one cookie jar between contexts of the same host
   */
  adminBase: string;
  browser: Browser;
  close(): Promise<void>;
}

export interface StartOptions {
  /** the temporary directory's prefix */
  name: string;
  /** more configuration (the environment variables loadConfig reads) */
  env?: Record<string, string>;
  /** runs on the migrated store before the server starts (seed data, identities) */
  prepare?: (store: Store, config: Config) => Promise<void>;
  /** the recognition engine; none by default (the pages that do not call /OcridCard need none) */
  recognizer?: Recognizer;
  /** further server dependencies (metering, verification source) */
  deps?: (store: Store, config: Config) => Partial<ServerDeps>;
}

export async function startConsole(options: StartOptions): Promise<ConsoleEnv> {
  if (!fs.existsSync(path.join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: npm run build:web');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `shiming-${options.name}-`));
  let store: Store | undefined;
  let app: FastifyInstance | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => {});
    await app?.close();
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_COOKIE_SECURE: 'false', SHIMING_DEMO: 'false', LOG_LEVEL: 'warn', ...options.env });
    store = openStore({ sqlitePath: config.storage.sqlitePath });
    await migrateToLatest(store);
    await options.prepare?.(store, config);
    app = await buildServer({
      config, store, recognizer: options.recognizer, logger: createLogger({ level: 'warn' }),
      ...options.deps?.(store, config),
    });
    const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('[::1]', '127.0.0.1');
    browser = await playwright.launch({
      executablePath: await chromium.executablePath(),
      args: [...chromium.args, '--disable-background-networking', '--no-sandbox'],
      headless: true,
    });
    return { dataDir, config, store, app, base, adminBase: base.replace('127.0.0.1', 'localhost'), browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export const DESKTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** A browser context (its own cookies) at a viewport, Chinese by default. */
export async function newContext(browser: Browser, viewport: { width: number; height: number } = DESKTOP, extra: { downloads?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: extra.downloads ?? false });
}

/** A page that reports the page's errors and every failed API answer on the test's stderr. */
export async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (err) => console.error('page error:', err.message));
  page.on('response', (r) => {
    // (the first look at /me before logging in is a 401 by design)
    if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/me'))) void r.text().then((body) => console.error(`HTTP ${r.status()} ${r.request().method()} ${r.url()} ${body.slice(0, 200)}`), () => {});
  });
  return page;
}

/** Logs in through the form at `url` and waits for `marker` (a text of the first page). */
export async function logIn(page: Page, url: string, email: string, password: string, marker: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByText(marker).first().waitFor();
}

/** client-side navigation, so the page keeps what it was shown once (the AppCode) */
export async function go(page: Page, to: string): Promise<void> {
  // (browser code as text: the test's own TypeScript has no DOM types)
  await page.evaluate(`history.pushState(null, '', ${JSON.stringify(to)}); dispatchEvent(new PopStateEvent('popstate'))`);
  await page.waitForLoadState('networkidle');
}

/** waits until the element's text is `text` (the page loads its data after it shows) */
export async function textIs(page: Page, testId: string, text: string | RegExp): Promise<string> {
  const el = page.getByTestId(testId).first();
  const deadline = Date.now() + 30_000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await el.textContent().catch(() => null);
    if (last !== null && (typeof text === 'string' ? last === text : text.test(last))) return last;
    await page.waitForTimeout(200);
  }
  throw new Error(`${testId}: ${JSON.stringify(last)} is not ${text}`);
}

/**
 * Waits until every chart on the page has drawn its latest data (web/src/lib/chart.tsx marks
 * its box data-drawn="<n>" when ECharts reports the n-th option rendered; `testId` narrows it
 * to one chart, which must exist).
 */
export async function chartsDrawn(page: Page, testId?: string): Promise<void> {
  if (testId) await page.getByTestId(testId).waitFor();
  await page.waitForFunction(`[...document.querySelectorAll(${JSON.stringify(testId ? `[data-testid="${testId}"]` : '[data-chart]')})]
    .every((el) => el.dataset.drawn && el.dataset.drawn === el.dataset.option)`);
}

/** Saves docs/screenshots/<name>-<viewport width>.jpg when SHIMING_SCREENSHOTS=1, once the charts are drawn. */
export async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await chartsDrawn(page);
  // fonts and images in flight
  await page.evaluate('document.fonts.ready');
  await page.waitForLoadState('networkidle');
  fs.mkdirSync(shotsDir, { recursive: true });
  const width = page.viewportSize()?.width ?? DESKTOP.width;
  await page.screenshot({ path: path.join(shotsDir, `${name}-${width}.jpg`), type: 'jpeg', quality: 72, fullPage: true });
}

/** How many pixels the document is wider than the viewport's width for it (0 when nothing scrolls sideways). */
export async function overflowX(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
}

/** Screenshots of every page to the temporary directory, for the one reading a failure. */
export async function failureShots(pages: Record<string, Page>): Promise<void> {
  for (const [who, page] of Object.entries(pages)) {
    const file = path.join(os.tmpdir(), `shiming-e2e-failure-${who}.png`);
    await page.screenshot({ path: file, fullPage: true }).then(() => console.error(`screenshot: ${file}`), () => {});
  }
}
