// Every console page at 390 px (a phone) and at 1280 px: it renders its content and nothing is
// wider than the screen (tables scroll inside themselves). The data is made through the domain
// functions (no recognition engine needed). With SHIMING_SCREENSHOTS=1 it saves docs/screenshots/<page>-390.jpg.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildServer } from '../../src/http/server.ts';
import { openStore, migrateToLatest, type Store } from '../../src/store/index.ts';
import { registerConsoleApi } from '../../src/http/console/index.ts';
import { registerAdminApi } from '../../src/http/admin/index.ts';
import { createApp } from '../../src/gateway/index.ts';
import { signUp, createOperator, topUp, createOrder, payOrder, listProducts, requestInvoice } from '../../src/commerce/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'docs/screenshots');
const SCREENSHOTS = process.env.SHIMING_SCREENSHOTS === '1';

let dataDir: string;
let config: Config;
let store: Store;
let app: FastifyInstance;
let base: string;
let adminBase: string;
let browser: Browser;
let buyerContext: BrowserContext;
let operatorContext: BrowserContext;

before(async () => {
  if (!fs.existsSync(path.join(root, 'web/dist/index.html'))) throw new Error('web/dist is missing: npm run build:web');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-mobile-'));
  config = loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_COOKIE_SECURE: 'false', SHIMING_DEMO: 'false', LOG_LEVEL: 'warn' });
  store = openStore({ sqlitePath: config.storage.sqlitePath });
  await migrateToLatest(store);
  const { db } = store;
  const now = Date.now();
  const buyer = await signUp(db, { email: 'phone@example.com', password: 'buyer-secret-1', name: '移动端测试公司', now });
  const operator = await createOperator(db, { email: 'ops@example.com', password: 'operator-secret-1', name: '运营', now });
  await topUp(db, { buyerId: buyer.buyerId!, amountFen: 50_000, reason: '银行转账', operatorId: operator.id, now });
  const plan = (await listProducts(db)).find((p) => p.code === 'idcard-ocr')!.plans.find((l) => l.calls === 1000)!;
  const order = await createOrder(db, config.commerce, { buyerId: buyer.buyerId!, planId: plan.id, quantity: 1, now });
  await payOrder(db, { buyerId: buyer.buyerId!, orderId: order.id, now });
  await createOrder(db, config.commerce, { buyerId: buyer.buyerId!, planId: plan.id, quantity: 2, now }); // left unpaid
  await createApp(db, config.gateway, { buyerId: buyer.buyerId!, name: '小程序后端', now });
  await requestInvoice(db, buyer.buyerId!, { orderIds: [order.id], title: '移动端测试公司', taxId: '91110000MA01ABCDE1', type: 'normal', email: 'phone@example.com' }, now);

  app = await buildServer({ config, store, recognizer: undefined, logger: createLogger({ level: 'warn' }) });
  await app.ready();
  if (!app.hasRoute({ method: 'GET', url: '/console/api/csrf' })) {
    // a checkout whose server does not mount the APIs yet
    await app.close();
    app = await buildServer({
      config, store, recognizer: undefined, logger: createLogger({ level: 'warn' }),
      plugins: [(s) => registerConsoleApi(s, { store, config }), (s) => registerAdminApi(s, { store, config })],
    });
  }
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('[::1]', '127.0.0.1');
  adminBase = base.replace('127.0.0.1', 'localhost');

  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--disable-background-networking', '--no-sandbox'],
    headless: true,
  });
  // both contexts first, then both log in through the form: under chromium's --single-process a
  // new context or a cookie handed in does not keep the other context's session
  buyerContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  operatorContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  for (const [context, url, email, password, marker] of [
    [buyerContext, `${base}/console`, 'phone@example.com', 'buyer-secret-1', '已购买的服务'],
    [operatorContext, `${adminBase}/admin`, 'ops@example.com', 'operator-secret-1', '本节点'],
  ] as const) {
    const login = await context.newPage();
    await login.goto(url);
    await login.getByTestId('login-email').fill(email);
    await login.getByTestId('login-password').fill(password);
    await login.getByTestId('login-submit').click();
    await login.getByText(marker).first().waitFor({ timeout: 30_000 });
    await login.close();
  }
  if (SCREENSHOTS) fs.mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await store?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const buyerPages: Array<[string, string, string]> = [
  ['/console', 'console-overview', '已购买的服务'], ['/console/apps', 'console-apps', '小程序后端'], ['/console/products/idcard-ocr', 'console-product', '立即购买'],
  ['/console/packages', 'console-packages', '0/1000'], ['/console/usage', 'console-usage', '计费调用次数'], ['/console/orders', 'console-orders', '未支付'],
  ['/console/invoices', 'console-invoices', '待开具'], ['/console/samples', 'console-samples', 'APPCODE'], ['/console/debug', 'console-debug', '发送请求'],
  ['/console/settings', 'console-settings', '预警联系人与阈值'], ['/console/contact', 'console-contact', '联系我们'],
];
const adminPages: Array<[string, string, string]> = [
  ['/admin', 'admin-health', '本节点'], ['/admin/products', 'admin-products', '身份证二要素核验'], ['/admin/buyers', 'admin-buyers', 'phone@example.com'],
  ['/admin/orders', 'admin-orders', '未支付'], ['/admin/invoices', 'admin-invoices', '移动端测试公司'], ['/admin/usage', 'admin-usage', '按买家'], ['/admin/audit', 'admin-audit', 'balance.topup'],
];

for (const [width, height] of [[390, 844], [1280, 900]] as const) {
  test(`every page renders at ${width} px without sideways scrolling`, { timeout: 240_000 }, async () => {
    for (const [context, host, pages] of [[buyerContext, base, buyerPages], [operatorContext, adminBase, adminPages]] as const) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      page.setDefaultTimeout(30_000);
      for (const [p, name, marker] of pages) {
        await page.goto(`${host}${p}`);
        await page.getByText(marker).first().waitFor().catch(async (err: Error) => {
          const file = path.join(os.tmpdir(), `shiming-mobile-failure.png`);
          await page.screenshot({ path: file, fullPage: true });
          throw new Error(`${p}: ${err.message} (screenshot ${file})`);
        });
        const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
        assert.ok(overflow <= 1, `${p} is ${overflow}px wider than ${width}`);
        if (SCREENSHOTS && width === 390) {
          await page.waitForTimeout(300);
          await page.screenshot({ path: path.join(shots, `${name}-390.jpg`), type: 'jpeg', quality: 72, fullPage: true });
        }
      }
      await page.close();
    }
  });
}
