import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../support/db.ts'; // runs on PostgreSQL too
import { startHarness, Browser, operatorBrowser } from './harness.ts';
import { ensureOperator } from '../../src/commerce/index.ts';

test('sign up, cookies, me, log out, log in again', async () => {
  const h = await startHarness();
  try {
    const b = new Browser(h.app);
    const account = await b.signUp('Alice@Example.com', 'correct horse 1', 'Alice');
    assert.equal(account.email, 'alice@example.com');
    assert.ok(account.buyerId > 0);
    const session = b.lastSetCookie.find((c) => c.startsWith('shiming_session='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /Secure/);
    assert.match(session, /SameSite=Strict/);
    const csrf = b.lastSetCookie.find((c) => c.startsWith('shiming_csrf='))!;
    assert.doesNotMatch(csrf, /HttpOnly/, 'the page script reads the CSRF cookie');
    const me = await b.get('/console/api/me');
    assert.equal(me.statusCode, 200);
    assert.deepEqual({ ...(me.json() as object), account: undefined }, { account: undefined, balanceFen: 0, unpaidOrders: 0, unreadWarnings: 0 });
    assert.equal(me.json().account.email, 'alice@example.com');
    assert.equal(me.headers['cache-control'], 'no-store');

    // the same e-mail twice
    const dup = new Browser(h.app);
    await dup.prepare();
    const again = await dup.post('/console/api/signup', { email: 'alice@example.com', password: 'another pass', name: 'X' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'email_taken');

    assert.equal((await b.post('/console/api/logout')).statusCode, 200);
    assert.equal((await b.get('/console/api/me')).statusCode, 401);
    const bad = await b.logIn('alice@example.com', 'wrong password');
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().error.code, 'bad_credentials');
    const ok = await b.logIn('ALICE@example.com', 'correct horse 1');
    assert.equal(ok.statusCode, 200);
    assert.equal((await b.get('/console/api/me')).statusCode, 200);
  } finally {
    await h.close();
  }
});

test('Secure is off only when the config says plain-HTTP development', async () => {
  const h = await startHarness({ cookieSecure: false });
  try {
    const b = new Browser(h.app);
    await b.signUp('dev@example.com');
    const session = b.lastSetCookie.find((c) => c.startsWith('shiming_session='))!;
    assert.doesNotMatch(session, /Secure/);
    assert.match(session, /HttpOnly/);
  } finally {
    await h.close();
  }
});

test('CSRF: state-changing requests need the session token in the header', async () => {
  const h = await startHarness();
  try {
    // login and sign-up without the pre-session token
    const anon = new Browser(h.app);
    const noToken = await anon.post('/console/api/signup', { email: 'c@example.com', password: 'correct horse 1', name: 'C' });
    assert.equal(noToken.statusCode, 403);
    assert.equal(noToken.json().error.code, 'csrf');
    await anon.prepare();
    const wrong = await anon.request('POST', '/console/api/signup', { email: 'c@example.com', password: 'correct horse 1', name: 'C' }, { 'x-csrf-token': 'x'.repeat(32) });
    assert.equal(wrong.statusCode, 403);

    const b = new Browser(h.app);
    await b.signUp('csrf@example.com');
    const plan = (await b.get('/console/api/products')).json().products[0].plans[1];
    const missing = await b.request('POST', '/console/api/orders', { planId: plan.id }, { 'x-csrf-token': '' });
    assert.equal(missing.statusCode, 403);
    const forged = await b.request('POST', '/console/api/orders', { planId: plan.id }, { 'x-csrf-token': 'A'.repeat(32) });
    assert.equal(forged.statusCode, 403);
    assert.equal((await b.post('/console/api/orders', { planId: plan.id })).statusCode, 201);
    // GET needs no token
    assert.equal((await b.request('GET', '/console/api/orders', undefined, { 'x-csrf-token': '' })).statusCode, 200);
    // another session's token does not work here
    const other = new Browser(h.app);
    await other.signUp('csrf2@example.com');
    const crossed = await b.request('POST', '/console/api/orders', { planId: plan.id }, { 'x-csrf-token': other.csrf! });
    assert.equal(crossed.statusCode, 403);
  } finally {
    await h.close();
  }
});

test('login throttling per account and per IP holds across nodes (it lives in the database)', async () => {
  const h = await startHarness({ loginMaxFailuresPerAccount: 3, loginMaxFailuresPerIp: 5, loginWindowMinutes: 15 });
  try {
    const victim = new Browser(h.app);
    await victim.signUp('victim@example.com', 'correct horse 1');
    const attacker = new Browser(h.app, '10.0.0.9');
    for (let i = 0; i < 3; i++) assert.equal((await attacker.logIn('victim@example.com', `guess ${i}`)).statusCode, 401);
    const locked = await attacker.logIn('victim@example.com', 'correct horse 1');
    assert.equal(locked.statusCode, 429, 'even the right password waits out the window');
    // a second node (its own server and connection) sees the same failures
    const node2 = await import('./harness.ts');
    const Fastify = (await import('fastify')).default;
    const { registerConsoleApi } = await import('../../src/http/console/index.ts');
    const app2 = Fastify();
    await registerConsoleApi(app2, { store: h.tdb.openAnother(), config: { commerce: h.config, gateway: { secretKey: '11'.repeat(32) } }, now: () => h.clock.now });
    const elsewhere = new node2.Browser(app2, '10.0.0.10');
    assert.equal((await elsewhere.logIn('victim@example.com', 'correct horse 1')).statusCode, 429);
    await app2.close();
    // after the window the right password works, and success clears the account's count
    h.clock.now += 16 * 60_000;
    assert.equal((await victim.logIn('victim@example.com', 'correct horse 1')).statusCode, 200);

    // per IP: one address guessing many accounts
    const sprayer = new Browser(h.app, '10.0.0.66');
    for (let i = 0; i < 5; i++) assert.equal((await sprayer.logIn(`nobody${i}@example.com`, 'password1')).statusCode, 401);
    assert.equal((await sprayer.logIn('victim@example.com', 'correct horse 1')).statusCode, 429);
    const fromElsewhere = new Browser(h.app, '10.0.0.67');
    assert.equal((await fromElsewhere.logIn('victim@example.com', 'correct horse 1')).statusCode, 200);
  } finally {
    await h.close();
  }
});

test('operators are a role: their own door, the config creates the first one', async () => {
  const h = await startHarness();
  try {
    const db = h.tdb.store.db;
    const created = await ensureOperator(db, { operatorEmail: 'Root@Example.com', operatorPassword: 'root password 1' });
    assert.equal(created?.role, 'operator');
    assert.equal(await ensureOperator(db, { operatorEmail: 'root@example.com', operatorPassword: 'root password 1' }), undefined, 'second start: nothing new');
    const op = new Browser(h.app);
    assert.equal((await op.logIn('root@example.com', 'root password 1', '/admin/api')).statusCode, 200);
    assert.equal((await op.get('/admin/api/me')).json().account.role, 'operator');
    // an operator cannot use the buyer console, a buyer cannot use the admin API
    assert.equal((await op.get('/console/api/me')).statusCode, 403);
    const buyer = new Browser(h.app);
    await buyer.signUp('b@example.com');
    assert.equal((await buyer.get('/admin/api/buyers')).statusCode, 403);
    const wrongDoor = await new Browser(h.app).logIn('b@example.com', 'correct horse 1', '/admin/api');
    assert.equal(wrongDoor.statusCode, 403);
    assert.equal((await new Browser(h.app).logIn('root@example.com', 'root password 1')).statusCode, 403);
    assert.equal((await new Browser(h.app).get('/admin/api/buyers')).statusCode, 401);
    // an operator adds another, which is audited
    const res = await op.post('/admin/api/operators', { email: 'second@example.com', password: 'second password' });
    assert.equal(res.statusCode, 201);
    const audit = (await op.get('/admin/api/audit')).json();
    assert.equal(audit.items[0].action, 'operator.create');
    assert.equal(audit.items[0].operatorEmail, 'root@example.com');
    assert.equal((await operatorBrowser(h, 'third@example.com')).csrf !== undefined, true);
  } finally {
    await h.close();
  }
});

test('password change ends sessions; hostile and malformed account input is refused cleanly', async () => {
  const h = await startHarness();
  try {
    const b = new Browser(h.app);
    await b.signUp('pw@example.com', 'correct horse 1');
    const other = new Browser(h.app);
    assert.equal((await other.logIn('pw@example.com', 'correct horse 1')).statusCode, 200);
    assert.equal((await b.post('/console/api/password', { current: 'nope nope', next: 'new password 2' })).statusCode, 401);
    assert.equal((await b.post('/console/api/password', { current: 'correct horse 1', next: 'new password 2' })).statusCode, 200);
    assert.equal((await other.get('/console/api/me')).statusCode, 401, 'other sessions ended');
    assert.equal((await b.logIn('pw@example.com', 'new password 2')).statusCode, 200);

    const anon = new Browser(h.app);
    await anon.prepare();
    const cases: Array<[unknown, number]> = [
      [{ email: 'x@example.com', password: 'short', name: 'X' }, 400],
      [{ email: 'not-an-email', password: 'long enough 1', name: 'X' }, 400],
      [{ email: 'x@example.com', password: 'long enough 1', name: '' }, 400],
      [{ email: "x'); drop table accounts;--@example.com", password: 'long enough 1', name: 'X' }, 400],
      [{ email: 'x@example.com', password: 'p'.repeat(2000), name: 'X' }, 400],
      [{ email: ['x@example.com'], password: 'long enough 1', name: 'X' }, 400],
      [{}, 400],
      [{ email: 'smuggle@example.com', password: 'long enough 1', name: 'X', role: 'operator' }, 400],
      [{ email: 'n@example.com', password: 12345678, name: 'X' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await anon.post('/console/api/signup', body);
      assert.equal(res.statusCode, status, JSON.stringify(body).slice(0, 80));
      assert.ok(res.json().error.code, 'a JSON error');
    }
    const malformed = await anon.request('POST', '/console/api/signup', '{"email":', { 'content-type': 'application/json' });
    assert.equal(malformed.statusCode, 400);
    const huge = await anon.request('POST', '/console/api/signup', JSON.stringify({ email: 'a@b.cn', password: 'x'.repeat(200_000), name: 'n' }), { 'content-type': 'application/json' });
    assert.equal(huge.statusCode, 413);
    const empty = await anon.request('POST', '/console/api/login', '', { 'content-type': 'application/json' });
    assert.equal(empty.statusCode, 400);
    const unknown = await anon.get('/console/api/nothing-here');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'not_found');
    // a tampered session cookie is just "not logged in"
    const forged = await h.app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie: 'shiming_session=' + 'A'.repeat(43) } });
    assert.equal(forged.statusCode, 401);
    // an operator-role flag smuggled at sign-up did not make an operator
    const { db } = h.tdb.store;
    const ops = await db.selectFrom('accounts').select('email').where('role', '=', 'operator').execute();
    assert.deepEqual(ops, []);
  } finally {
    await h.close();
  }
});
