// A console + admin API on a bare fastify instance over the test database, and a "browser" that
// keeps cookies and sends the CSRF header the way the console's pages do.
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { registerConsoleApi } from '../../src/http/console/index.ts';
import { registerAdminApi } from '../../src/http/admin/index.ts';
import { createOperator, defaultCommerceConfig, type CommerceConfig } from '../../src/commerce/index.ts';

export const SECRET_KEY = '11'.repeat(32);
export const T0 = Date.UTC(2026, 0, 5, 2, 0, 30); // 2026-01-05 10:00:30 China time

export interface Harness {
  tdb: TestDatabase;
  app: FastifyInstance;
  clock: { now: number };
  config: CommerceConfig;
  /** every route the console and admin APIs registered */
  routes: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<CommerceConfig> = {}): Promise<Harness> {
  const tdb = await createTestDatabase();
  const clock = { now: T0 };
  const config: CommerceConfig = { ...defaultCommerceConfig, ...overrides };
  const app = Fastify();
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  const deps = { store: tdb.store, config: { commerce: config, gateway: { secretKey: SECRET_KEY } }, now: () => clock.now };
  await registerConsoleApi(app, deps);
  await registerAdminApi(app, deps);
  await app.ready();
  return {
    tdb, app, clock, config, routes,
    async close() {
      await app.close();
      await tdb.close();
    },
  };
}

export class Browser {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  lastSetCookie: string[] = [];

  constructor(readonly app: FastifyInstance, readonly ip = '127.0.0.1') {}

  async request(method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    const res = await this.app.inject({ method, url, payload: payload as InjectOptions['payload'], headers: h, remoteAddress: this.ip });
    const set = res.headers['set-cookie'];
    this.lastSetCookie = set === undefined ? [] : Array.isArray(set) ? set : [set];
    for (const c of this.lastSetCookie) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body);
  put = (url: string, body?: unknown) => this.request('PUT', url, body);
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body);

  /** fetches the pre-session CSRF token, as a page does before its login form */
  async prepare(prefix = '/console/api') {
    const res = await this.get(`${prefix}/csrf`);
    this.csrf = res.json().csrfToken;
  }

  async signUp(email: string, password = 'correct horse 1', name = 'Buyer') {
    await this.prepare();
    const res = await this.post('/console/api/signup', { email, password, name });
    if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
    this.csrf = res.json().csrfToken;
    return res.json().account as { id: number; buyerId: number; email: string };
  }

  async logIn(email: string, password: string, prefix = '/console/api') {
    await this.prepare(prefix);
    const res = await this.post(`${prefix}/login`, { email, password });
    if (res.statusCode === 200) this.csrf = res.json().csrfToken;
    return res;
  }
}

export async function operatorBrowser(h: Harness, email = 'ops@example.com'): Promise<Browser> {
  await createOperator(h.tdb.store.db, { email, password: 'operator secret 1' });
  const b = new Browser(h.app);
  const res = await b.logIn(email, 'operator secret 1', '/admin/api');
  if (res.statusCode !== 200) throw new Error(`operator login failed: ${res.body}`);
  return b;
}

/** a multipart/form-data body as a browser sends it */
export function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; data: Buffer }) {
  const boundary = '----shiming' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
