// The console end to end, in headless Chromium against the real server: a buyer signs up,
// creates an app and copies its AppCode, an operator tops the buyer up, the buyer buys a plan
// from the balance, the test calls the API with that AppCode, the usage shows up, the detail is
// exported (CSV and XLSX checked), an invoice is requested and the operator issues it; the
// debug tool reads a fixture card and draws its outline. With SHIMING_SCREENSHOTS=1 every page
// is photographed at 1280 px into docs/screenshots/ (console-mobile.test.ts does 390 px).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { createVerificationSource, registerIdentity } from '../../src/verification/index.ts';
import { registerMetering } from '../../src/http/metering.ts';
import { ensureOperator } from '../../src/commerce/index.ts';
import { createRecognizer, type Recognizer } from '../../src/recognition/index.ts';
import { root, startConsole, newContext, newPage, go, textIs, shot, chartsDrawn, failureShots, type ConsoleEnv } from './support/console.ts';

const cards = path.join(root, 'test/fixtures/cards');
const truth = JSON.parse(fs.readFileSync(path.join(cards, 'truth.json'), 'utf8')) as Array<{ file: string; front?: { name: string; idCard: string }; quad: number[][] }>;
const card = truth.find((c) => c.file === 'front-clean-1.jpg')!;

const OPERATOR = { email: 'ops@example.com', password: 'operator-secret-1' };
const BUYER = { name: '示例科技有限公司', email: 'buyer@example.com', password: 'buyer-secret-1' };

let env: ConsoleEnv;
let recognizer: Recognizer | undefined;
let base: string;
let adminBase: string;
let buyerContext: BrowserContext;
let operatorContext: BrowserContext;
let buyer: Page;
let operator: Page;

before(async () => {
  recognizer = await createRecognizer({ poolSize: 1 });
  env = await startConsole({
    name: 'e2e',
    env: { SHIMING_OPERATOR_EMAIL: OPERATOR.email, SHIMING_OPERATOR_PASSWORD: OPERATOR.password },
    recognizer,
    prepare: async (store, config) => {
      await ensureOperator(store.db, config.commerce);
      await registerIdentity(store, config, { name: card.front!.name, idNumber: card.front!.idCard });
    },
    deps: (store, config) => ({
      verification: createVerificationSource(store, config),
      metering: (scope) => registerMetering(scope, { store, gateway: config.gateway, sweepIntervalMs: 0 }),
    }),
  });
  ({ base, adminBase } = env);
  buyerContext = await newContext(env.browser, undefined, { downloads: true });
  await buyerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  operatorContext = await newContext(env.browser, undefined, { downloads: true });
  buyer = await newPage(buyerContext);
  operator = await newPage(operatorContext);
});

after(async () => {
  await env?.close();
  await recognizer?.close();
});

/** the table under the usage chart: result code -> [calls, billed] */
async function usageRows(page: Page): Promise<Record<string, [number, number]>> {
  const rows: Record<string, [number, number]> = {};
  for (const row of await page.getByTestId('usage-table').locator('tr[data-testid^=usage-row-]').all()) {
    const code = (await row.getAttribute('data-testid'))!.slice('usage-row-'.length);
    rows[code] = [Number(await row.getByTestId('calls').textContent()), Number(await row.getByTestId('billed').textContent())];
  }
  return rows;
}

/** what a chart draws: series name -> the sum of its bars (read from ECharts through the box's data-series) */
async function chartBars(page: Page, testId: string): Promise<Record<string, number>> {
  const json = await page.getByTestId(testId).getAttribute('data-series');
  const series = JSON.parse(json ?? '[]') as Array<{ name: string; data: number[] }>;
  return Object.fromEntries(series.map((s) => [s.name, s.data.reduce((a, b) => a + b, 0)]).filter(([, n]) => n));
}

async function apiCall(appCode: string, image = fs.readFileSync(path.join(cards, card.file)).toString('base64')) {
  const res = await fetch(`${base}/OcridCard`, {
    method: 'POST',
    headers: { Authorization: `APPCODE ${appCode}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ image }),
  });
  return { status: res.status, body: (await res.json()) as { code: string; ocr?: { name: string } } };
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

test('a buyer and an operator work through the console', { timeout: 600_000 }, async (t) => {
  let appCode = '';
  // each step needs the ones before it: after a failure the rest are skipped, not timed out
  let broken = false;
  const step = (name: string, fn: () => Promise<void>) =>
    t.test(name, { skip: broken ? 'an earlier step failed' : false }, async () => {
      try {
        await fn();
      } catch (err) {
        broken = true;
        // what the pages showed, for the one reading the failure
        await failureShots({ buyer, operator });
        throw err;
      }
    });

  await step('sign up', async () => {
    await buyer.goto(`${base}/console`);
    await shot(buyer, 'console-login');
    await buyer.getByTestId('tab-signup').click();
    await buyer.getByTestId('signup-name').fill(BUYER.name);
    await buyer.getByTestId('signup-email').fill(BUYER.email);
    await buyer.getByTestId('signup-password').fill(BUYER.password);
    await buyer.getByTestId('signup-submit').click();
    await buyer.getByText('已购买的服务').waitFor();
    await textIs(buyer, 'balance', '0');
  });

  await step('create an app: the AppSecret and AppCode show once, in the dialog', async () => {
    await go(buyer, '/console/apps');
    await buyer.getByTestId('app-name').fill('生产环境');
    await buyer.getByTestId('create-app').click();
    const dialog = buyer.getByTestId('shown-dialog');
    await dialog.getByTestId('shown-warning').filter({ hasText: '不会再显示' }).waitFor();
    appCode = (await dialog.getByTestId('shown-app-code').textContent()) ?? '';
    assert.match(appCode, /^[A-Za-z0-9]{16,64}$/);
    await dialog.getByTestId('shown-app-code-copy').click();
    assert.equal(await buyer.evaluate('navigator.clipboard.readText()'), appCode);
    const secret = (await dialog.getByTestId('shown-app-secret').textContent()) ?? '';
    assert.ok(secret.length >= 16);
    await dialog.getByTestId('shown-app-secret-copy').click();
    assert.equal(await buyer.evaluate('navigator.clipboard.readText()'), secret);
    await shot(buyer, 'console-app-created');
    await buyer.getByTestId('shown-close').click();
    await dialog.waitFor({ state: 'detached' });
    // once closed, neither is on the page any more, and nothing offers to show the secret again
    const html = await buyer.content();
    assert.ok(!html.includes(secret), 'the AppSecret is gone from the page');
    assert.ok(!html.includes(appCode), 'the AppCode is gone from the page');
    assert.equal(await buyer.getByTestId('show-secret').count(), 0);
    assert.equal(await buyer.getByRole('button', { name: /^显示/ }).count(), 0);
    // a reset asks first, then shows the new AppCode once
    await buyer.getByTestId('reset-code').click();
    await buyer.locator('#confirm-reset').click();
    const oldCode = appCode;
    appCode = (await dialog.getByTestId('shown-app-code').textContent()) ?? '';
    assert.match(appCode, /^[A-Za-z0-9]{16,64}$/);
    assert.notEqual(appCode, oldCode);
    assert.equal(await dialog.getByTestId('shown-app-secret').count(), 0, 'a code reset shows no secret');
    await buyer.getByTestId('shown-close').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await apiCall(oldCode)).status, 400, 'the old AppCode no longer works');
    // the same for the AppSecret
    await buyer.getByTestId('reset-secret').click();
    await buyer.locator('#confirm-reset').click();
    const newSecret = (await dialog.getByTestId('shown-app-secret').textContent()) ?? '';
    assert.ok(newSecret.length >= 16 && newSecret !== secret);
    assert.equal(await dialog.getByTestId('shown-app-code').count(), 0, 'a secret reset shows no code');
    await buyer.getByTestId('shown-close').click();
    await dialog.waitFor({ state: 'detached' });
    assert.ok(!(await buyer.content()).includes(newSecret));
    // the page remembers the AppCode (for the samples and the debug tool) only as a hint
    await textIs(buyer, 'app-code-hint', `${appCode.slice(0, 4)}••••${appCode.slice(-4)}`);
    await shot(buyer, 'console-apps');
    // without a package the gateway refuses the call
    const refused = await apiCall(appCode);
    assert.equal(refused.status, 403);
  });

  await step('the operator tops the buyer up and grants calls with a reason', async () => {
    await operator.goto(`${adminBase}/admin`);
    await shot(operator, 'admin-login');
    await operator.getByTestId('login-email').fill(OPERATOR.email);
    await operator.getByTestId('login-password').fill(OPERATOR.password);
    await operator.getByTestId('login-submit').click();
    // 运行状况 first: this server is a live node, the database answers, the registry verifies
    await operator.getByTestId('nodes').getByTestId('node-alive').filter({ hasText: '在线' }).first().waitFor();
    const node = operator.getByTestId('nodes').locator('tbody tr.ant-table-row').first();
    assert.ok((await node.textContent())!.includes(os.hostname()), 'the node row names this host');
    await textIs(operator, 'database-ok', '正常');
    await textIs(operator, 'verification-ok', '正常');
    await textIs(operator, 'verification-kind', '本地登记库');
    await operator.getByTestId('health-alerts').getByText('待发送').waitFor();
    await shot(operator, 'admin-health');
    await go(operator, '/admin/buyers');
    await operator.getByTestId(`buyer-${BUYER.email}`).click();
    await operator.getByTestId('topup-amount').fill('100');
    await operator.getByTestId('topup-reason').fill('银行转账 20261129-001');
    await operator.getByTestId('topup-submit').click();
    await operator.getByTestId('buyer-balance').filter({ hasText: '¥100.00' }).waitFor();
    // a grant of 50 verification calls
    await operator.getByTestId('grant-product').click();
    await operator.locator('.ant-select-dropdown:visible').getByText('身份证二要素核验', { exact: true }).click();
    await operator.getByTestId('grant-calls').fill('50');
    await operator.getByTestId('grant-days').fill('30');
    await operator.getByTestId('grant-reason').fill('试用赠送');
    await operator.getByTestId('grant-submit').click();
    const granted = operator.getByTestId('buyer-packages').locator('tr', { hasText: 'idcard-verify' });
    await granted.filter({ hasText: '0/50' }).filter({ hasText: '赠送' }).waitFor();
    assert.equal(await granted.locator('[data-testid^=refund-]').count(), 0, 'a granted package is not refundable');
    await shot(operator, 'admin-buyer');
    await operator.keyboard.press('Escape');
    // the grant and its reason are in the audit log
    await go(operator, '/admin/audit');
    await operator.getByTestId('audit').locator('tr', { hasText: 'package.grant' }).filter({ hasText: '试用赠送' }).waitFor();
  });

  await step('the operator edits a plan and the buyer sees the new price', async () => {
    const products = (await (await fetch(`${base}/console/api/products`)).json()) as { products: Array<{ code: string; plans: Array<{ id: number; priceFen: number; calls: number }> }> };
    const plan = products.products.find((p) => p.code === 'idcard-ocr')!.plans.find((l) => l.calls === 1000)!;
    await go(operator, '/admin/products');
    await operator.getByTestId(`edit-plan-${plan.id}`).click();
    // the form opens with the plan's terms
    assert.equal(Number(await operator.getByTestId('plan-price').inputValue()), plan.priceFen / 100);
    assert.equal(await operator.getByTestId('plan-calls').inputValue(), '1000');
    await operator.getByTestId('plan-price').fill('180');
    await operator.getByTestId('plan-submit').click();
    await operator.getByTestId(`plan-${plan.id}`).filter({ hasText: '¥180.00' }).waitFor();
    await shot(operator, 'admin-products');
    const after = (await (await fetch(`${base}/console/api/products`)).json()) as typeof products;
    assert.equal(after.products.find((p) => p.code === 'idcard-ocr')!.plans.find((l) => l.id === plan.id)!.priceFen, 18000);
  });

  await step('buy a plan from the balance', async () => {
    await go(buyer, '/console/products/idcard-ocr');
    // the price the operator just set
    await buyer.getByText('180元/1000次').waitFor();
    await buyer.getByText('22元/100次').click();
    await textIs(buyer, 'total', '¥22.00');
    await shot(buyer, 'console-product');
    await buyer.getByTestId('api-docs').waitFor();
    await buyer.getByText('错误码定义').click();
    // the result codes come from /openapi.json: the seed's table
    for (const code of ['01', '02', '-1', '-5', '202', '205']) await buyer.getByTestId('error-codes').getByRole('cell', { name: code, exact: true }).waitFor();
    await buyer.getByText('产品价格').click();
    await buyer.getByTestId('price-table').waitFor();
    await buyer.getByRole('tab', { name: '示例代码' }).click();
    // the sample code carries the AppCode the buyer was shown
    await buyer.getByTestId('sample-curl').filter({ hasText: `APPCODE ${appCode}` }).waitFor();
    await shot(buyer, 'console-product-samples');
    await buyer.getByTestId('buy-now').click();
    await buyer.getByTestId('buy-success').waitFor();
    assert.match((await buyer.getByTestId('buy-success').textContent()) ?? '', /¥22\.00.*¥78\.00/);
    await buyer.getByRole('button', { name: /OK|确定|知道了/ }).click();
  });

  await step('call the API with the AppCode and see the usage', async () => {
    const answer = await apiCall(appCode);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.code, '01');
    assert.equal(answer.body.ocr?.name, card.front!.name);
    await go(buyer, '/console');
    await buyer.getByTestId('usage-idcard-ocr').filter({ hasText: '1/100' }).waitFor();
    await textIs(buyer, 'balance', '7800');
    await shot(buyer, 'console-overview');
    // and a call the service cannot read: another result code, not billed
    const junk = await apiCall(appCode, Buffer.from('not an image').toString('base64'));
    assert.notEqual(junk.body.code, '01');
    await go(buyer, '/console/usage');
    await buyer.getByTestId('total-calls').filter({ hasText: /: 2$/ }).waitFor();
    await chartsDrawn(buyer, 'usage-chart');
    assert.deepEqual(await usageRows(buyer), { '01': [1, 1], [junk.body.code]: [1, 0] });
    // the chart's bars are the same calls, in the current hour's bucket
    assert.deepEqual(await chartBars(buyer, 'usage-chart'), { [`结果码 01`]: 1, [`结果码 ${junk.body.code}`]: 1 });
    await shot(buyer, 'console-usage');
    // by day, and for this app only, the same calls
    await buyer.getByTestId('span').getByText('近 30 天（按天）').click();
    await buyer.getByTestId('usage-app').click();
    await buyer.locator('.ant-select-dropdown:visible').getByText('生产环境', { exact: true }).click();
    await buyer.getByTestId('total-calls').filter({ hasText: /: 2$/ }).waitFor();
    await chartsDrawn(buyer, 'usage-chart');
    assert.deepEqual(await usageRows(buyer), { '01': [1, 1], [junk.body.code]: [1, 0] });
  });

  await step('the usage detail and its export', async () => {
    await go(buyer, '/console/packages');
    const row = buyer.getByTestId('packages').locator('tbody tr.ant-table-row').first();
    await row.getByText('1/100').waitFor();
    await shot(buyer, 'console-packages');
    await row.getByRole('button', { name: /使用明细/ }).click();
    await buyer.getByTestId('usage-detail').getByText('套餐包消耗').waitFor();
    await shot(buyer, 'console-usage-detail');
    const [csv] = await Promise.all([buyer.waitForEvent('download'), buyer.getByTestId('export-csv').click()]);
    const csvText = fs.readFileSync(await csv.path()).toString('utf8');
    assert.match(csv.suggestedFilename(), /\.csv$/);
    assert.ok(csvText.includes('流水编号'), csvText);
    assert.ok(csvText.includes('套餐包消耗'), csvText);
    assert.match(csvText, /1次/);
    const [xlsx] = await Promise.all([buyer.waitForEvent('download'), buyer.getByTestId('export-xlsx').click()]);
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await xlsx.path());
    const cells = book.worksheets[0]!.getSheetValues().flat().map(String);
    assert.ok(cells.includes('流水编号'), cells.join(','));
    assert.ok(cells.some((c) => c.includes('套餐包消耗')));
    await buyer.keyboard.press('Escape');
  });

  await step('the operator refunds an unused package', async () => {
    // a second package, bought and never used
    await go(buyer, '/console/products/idcard-ocr');
    await buyer.getByText('22元/100次').click();
    await buyer.getByTestId('buy-now').click();
    await buyer.getByTestId('buy-success').waitFor();
    assert.match((await buyer.getByTestId('buy-success').textContent()) ?? '', /¥22\.00.*¥56\.00/);
    await buyer.getByRole('button', { name: /OK|确定|知道了/ }).click();
    await go(operator, '/admin/buyers');
    await operator.getByTestId(`buyer-${BUYER.email}`).click();
    await operator.getByTestId('buyer-balance').filter({ hasText: '¥56.00' }).waitFor();
    // only the unused bought package offers a refund (the used one and the grant do not)
    const refunds = operator.getByTestId('buyer-packages').locator('[data-testid^=refund-]');
    await refunds.first().waitFor();
    assert.equal(await refunds.count(), 1);
    const packageId = Number((await refunds.getAttribute('data-testid'))!.split('-').pop());
    await refunds.click();
    await operator.getByTestId('refund-reason').fill('买家误购，申请退款');
    await operator.getByTestId('refund-submit').click();
    await operator.getByTestId('buyer-balance').filter({ hasText: '¥78.00' }).waitFor();
    await operator.getByTestId(`package-${packageId}`).getByTestId('package-status').filter({ hasNotText: '正常' }).waitFor();
    assert.equal(await operator.getByTestId(`refund-${packageId}`).count(), 0);
    await operator.keyboard.press('Escape');
    await go(buyer, '/console');
    await textIs(buyer, 'balance', '7800');
  });

  let invoiceId = 0;
  await step('request an invoice', async () => {
    await go(buyer, '/console/orders');
    await buyer.getByTestId('orders').getByText('已支付').first().waitFor();
    await shot(buyer, 'console-orders');
    await go(buyer, '/console/invoices');
    await buyer.getByTestId('invoiceable').locator('tbody tr.ant-table-row input[type=checkbox]').first().check();
    await textIs(buyer, 'invoice-amount', '¥22.00');
    await buyer.getByTestId('invoice-title').fill(BUYER.name);
    await buyer.getByTestId('invoice-taxid').fill('91110000MA01ABCDE1');
    await buyer.getByTestId('invoice-email').fill(BUYER.email);
    await buyer.getByTestId('invoice-submit').click();
    const status = buyer.getByTestId('invoices').locator('[data-testid^=invoice-status-]').first();
    await status.filter({ hasText: '待开具' }).waitFor();
    invoiceId = Number((await status.getAttribute('data-testid'))!.split('-').pop());
    await shot(buyer, 'console-invoices');
  });

  await step('the operator issues the invoice', async () => {
    await go(operator, '/admin/invoices');
    await operator.getByTestId(`issue-${invoiceId}`).click();
    await operator.getByTestId('issue-number').fill('04400012345678');
    const pdfFile = path.join(env.dataDir, 'invoice.pdf');
    fs.writeFileSync(pdfFile, pdf);
    await operator.locator('.ant-modal input[type=file]').setInputFiles(pdfFile);
    await operator.getByTestId('issue-submit').click();
    await operator.getByText('发票已开具').waitFor();
    await operator.getByText('全部').click();
    await operator.getByTestId('invoice-queue').getByText('已开具').waitFor();
    await shot(operator, 'admin-invoices');
    await buyer.reload();
    await buyer.getByTestId(`invoice-status-${invoiceId}`).filter({ hasText: '已开具' }).waitFor();
  });

  await step('the debug tool reads a fixture card and outlines it', async () => {
    // the AppCode was shown in this page's life before the reload: the buyer pastes it
    await go(buyer, '/console/debug');
    await buyer.getByTestId('appcode-input').fill(appCode);
    await buyer.locator('input[type=file]').setInputFiles(path.join(cards, card.file));
    await buyer.getByTestId('debug-send').click();
    await buyer.getByTestId('debug-code').filter({ hasText: '01' }).waitFor({ timeout: 120_000 });
    const response = JSON.parse((await buyer.getByTestId('debug-response').textContent())!);
    assert.equal(response.ocr.idCard, card.front!.idCard);
    assert.match((await buyer.getByTestId('debug-ms').textContent())!, /^\d+ ms$/);
    assert.ok((await buyer.getByTestId('debug-request').textContent())!.includes('POST '));
    const quad = JSON.parse((await buyer.getByTestId('debug-canvas').getAttribute('data-quad'))!) as number[][];
    assert.equal(quad.length, 4);
    // the drawn outline is the card's: corners within 4 % of the image width of the generator's
    for (let i = 0; i < 4; i++) {
      const near = card.quad.some(([x, y]) => Math.hypot(x! - quad[i]![0]!, y! - quad[i]![1]!) < 0.04 * 1024);
      assert.ok(near, `corner ${quad[i]} is near the true outline`);
    }
    await shot(buyer, 'console-debug');
  });

  await step('the other pages render', async () => {
    for (const [p, name, marker] of [
      ['/console/samples', 'console-samples', 'sample-curl'], ['/console/settings', 'console-settings', 'warn-threshold'], ['/console/contact', 'console-contact', ''],
    ] as const) {
      await go(buyer, p);
      if (marker) await buyer.getByTestId(marker).waitFor();
      await shot(buyer, name);
    }
    for (const [p, name, marker] of [
      ['/admin/products', 'admin-products', ''], ['/admin/orders', 'admin-orders', ''], ['/admin/audit', 'admin-audit', 'audit'],
    ] as const) {
      await go(operator, p);
      if (marker) await operator.getByTestId(marker).waitFor();
      await shot(operator, name);
    }
    await operator.getByTestId('audit').getByText('balance.topup').waitFor();
    await operator.getByTestId('audit').locator('tr', { hasText: 'package.refund' }).filter({ hasText: '买家误购' }).waitFor();
    // usage across buyers: this buyer's calls, by result code
    await go(operator, '/admin/usage');
    await operator.getByTestId('usage-buyer').click();
    await operator.locator('.ant-select-dropdown:visible').getByText(BUYER.email, { exact: false }).click();
    // the two calls of the test and the debug tool's
    await operator.getByTestId('total-calls').filter({ hasText: /: 3$/ }).waitFor();
    await chartsDrawn(operator, 'usage-chart');
    const rows = await usageRows(operator);
    assert.deepEqual(rows['01'], [2, 2]);
    assert.equal(Object.values(rows).reduce((n, [calls]) => n + calls, 0), 3);
    assert.equal(Object.values(await chartBars(operator, 'usage-chart')).reduce((a, b) => a + b, 0), 3);
    await shot(operator, 'admin-usage');
    // English, second language
    await buyer.getByText('EN').click();
    await buyer.getByText('Overview').first().waitFor();
    await go(buyer, '/console');
    await shot(buyer, 'console-overview-en');
    await buyer.getByText('中文').click();
  });

  await step('the buyer changes the password and logs in with the new one', async () => {
    await go(buyer, '/console/settings');
    await buyer.getByTestId('password-current').fill(BUYER.password);
    await buyer.getByTestId('password-next').fill('buyer-secret-2');
    await buyer.getByTestId('password-submit').click();
    // every session ends: the login form again
    await buyer.getByTestId('login-email').waitFor();
    await buyer.reload();
    await buyer.getByTestId('login-email').fill(BUYER.email);
    await buyer.getByTestId('login-password').fill(BUYER.password);
    await buyer.getByTestId('login-submit').click();
    await buyer.getByTestId('login-error').waitFor();
    assert.equal(await buyer.getByTestId('logout').count(), 0, 'the old password no longer logs in');
    await buyer.getByTestId('login-password').fill('buyer-secret-2');
    await buyer.getByTestId('login-submit').click();
    await buyer.getByTestId('logout').waitFor();
    await go(buyer, '/console');
    await textIs(buyer, 'balance', '7800');
  });
});
