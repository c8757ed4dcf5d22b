// Every console page at 390 px (a phone) and at 1280 px: it renders its content and nothing is
// wider than the screen (tables scroll inside themselves). The data is made through the domain
// functions (no recognition engine needed). With SHIMING_SCREENSHOTS=1 it saves docs/screenshots/<page>-390.jpg.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { createApp } from '../../src/gateway/index.ts';
import { signUp, createOperator, topUp, createOrder, payOrder, listProducts, requestInvoice } from '../../src/commerce/index.ts';
import { startConsole, newContext, newPage, logIn, shot, overflowX, failureShots, chartsDrawn, PHONE, DESKTOP, type ConsoleEnv } from './support/console.ts';

let env: ConsoleEnv;
let buyerContext: BrowserContext;
let operatorContext: BrowserContext;

before(async () => {
  env = await startConsole({
    name: 'mobile',
    prepare: async ({ db }, config) => {
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
    },
  });
  // both contexts first, then both log in through the form: under chromium's --single-process a
  // new context or a cookie handed in does not keep the other context's session
  buyerContext = await newContext(env.browser, PHONE);
  operatorContext = await newContext(env.browser, PHONE);
  for (const [context, url, email, password, marker] of [
    [buyerContext, `${env.base}/console`, 'phone@example.com', 'buyer-secret-1', '已购买的服务'],
    [operatorContext, `${env.adminBase}/admin`, 'ops@example.com', 'operator-secret-1', '运行状况'],
  ] as const) {
    const login = await newPage(context);
    await logIn(login, url, email, password, marker);
    await login.close();
  }
});

after(async () => {
  await env?.close();
});

const buyerPages: Array<[string, string, string]> = [
  ['/console', 'console-overview', '已购买的服务'], ['/console/apps', 'console-apps', '小程序后端'], ['/console/products/idcard-ocr', 'console-product', '立即购买'],
  ['/console/packages', 'console-packages', '0/1000'], ['/console/usage', 'console-usage', '调用次数（按结果码）'], ['/console/orders', 'console-orders', '未支付'],
  ['/console/invoices', 'console-invoices', '待开具'], ['/console/samples', 'console-samples', 'APPCODE'], ['/console/debug', 'console-debug', '发送请求'],
  ['/console/settings', 'console-settings', '预警联系人与阈值'], ['/console/contact', 'console-contact', '联系我们'],
];
const adminPages: Array<[string, string, string]> = [
  ['/admin', 'admin-health', '在线'], ['/admin/products', 'admin-products', '身份证二要素核验'], ['/admin/buyers', 'admin-buyers', 'phone@example.com'],
  ['/admin/orders', 'admin-orders', '未支付'], ['/admin/invoices', 'admin-invoices', '移动端测试公司'], ['/admin/usage', 'admin-usage', '分组统计'], ['/admin/audit', 'admin-audit', 'balance.topup'],
];

for (const viewport of [PHONE, DESKTOP]) {
  test(`every page renders at ${viewport.width} px without sideways scrolling`, { timeout: 240_000 }, async () => {
    for (const [context, host, pages] of [[buyerContext, env.base, buyerPages], [operatorContext, env.adminBase, adminPages]] as const) {
      const page = await newPage(context);
      await page.setViewportSize(viewport);
      for (const [p, name, marker] of pages) {
        await page.goto(`${host}${p}`);
        try {
          await page.getByText(marker).first().waitFor();
          await chartsDrawn(page);
        } catch (err) {
          await failureShots({ mobile: page });
          throw new Error(`${p}: ${(err as Error).message}`);
        }
        const overflow = await overflowX(page);
        assert.ok(overflow <= 0, `${p} is ${overflow}px wider than ${viewport.width}`);
        // the 1280 px ones come from console.test.ts, with the data of a real walk-through
        if (viewport === PHONE) await shot(page, name);
      }
      await page.close();
    }
  });
}
