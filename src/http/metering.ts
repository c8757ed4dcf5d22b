// Metering: fastify hooks around every route that declares `config: { product }`.
//
//   onRequest     who is calling (AppCode, or AppKey + the signature headers), cheap checks
//   preParsing    keeps the raw body when a signature or an idempotency key needs it
//   preValidation the signature (Content-MD5, HMAC), nonce, rate limits, idempotency, the hold
//   onResponse    settles the hold with `request.resultCode` and writes the ledger row
//
// Refusals follow the cloud gateway (/work/shared/spec/gateway.md §3): its HTTP status and
// X-Ca-Error-Message, our X-Ca-Error-Code, X-Ca-Request-Id, and a small JSON body.
import crypto from 'node:crypto';
import os from 'node:os';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/index.ts';
import {
  AppDirectory, GatewayRefusal, RateLimiter, TIMESTAMP_WINDOW_MS, buildStringToSign, claimIdempotencyKey, contentMd5,
  finishIdempotencyKey, headerSafe, heartbeat, newRequestId, isFormContentType, parseParameters, parseSignatureMethod, requestFingerprint,
  showStringToSign, sign, signaturesEqual, signedHeaderNames, sweepGatewayState, useNonce,
  type AppCredentials, type RateLimits, type SecretKeySource, type SignatureMethod,
} from '../gateway/index.ts';
import {
  DEFAULT_BILLABLE_CODES, DEFAULT_HOLD_TTL_MS, openHoldBook, recordUnbilledCall, type Hold, type HoldBook, type Product,
  type ReserveInput, type ReserveResult,
} from '../billing/index.ts';

export interface Caller {
  buyerId: number;
  appId: number;
  requestId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the seed's result code of a metered call (e.g. '01'); unset voids the hold */
    resultCode?: string;
    /** set by metering on routes with `config.product` */
    caller?: Caller;
  }
  interface FastifyContextConfig {
    /** marks a metered route: authenticated, held and settled by src/http/metering.ts */
    product?: Product;
  }
}

export interface MeteringGatewayOptions {
  /** key that encrypts stored AppSecrets (config.gateway.secretKey) */
  secretKey: string | Buffer;
  rateLimits?: RateLimits;
  /** the same limits as config.gateway names them (used when `rateLimits` is absent) */
  appCallsPerSecond?: number;
  buyerCallsPerSecond?: number;
  ocrCallsPerSecond?: number;
  verifyCallsPerSecond?: number;
  /** how long a node trusts its cached app lookups (a reset is caught at once regardless) */
  appCacheTtlMs?: number;
}

export interface MeteringBillingOptions {
  /** result codes that are charged; default '01' and '02' */
  billableCodes?: readonly string[];
  /** an unsettled hold returns to the buyer after this long */
  holdTtlMs?: number;
  /** SQLite: the hot path's transactions in a worker thread (default false; see openHoldBook) */
  sqliteThread?: boolean;
}

export interface MeteringDeps {
  store: Store;
  gateway: MeteringGatewayOptions | SecretKeySource;
  billing?: MeteringBillingOptions;
  nodeId?: string;
  clock?: () => number;
  /** also answer unknown paths with 400 `Invalid Url` (default false: src/http/server.ts does) */
  notFound?: boolean;
  /** how often expired holds, nonces and idempotency keys are swept (default 30 s; 0 = never) */
  sweepIntervalMs?: number;
  /** where settle failures are reported (default: the request's logger) */
  onError?: (err: unknown, where: string) => void;
  /**
   * called after a call was billed (not awaited: renewal warnings must never delay an answer);
   * at most one at a time per buyer and product, and at most once a second while calls keep
   * coming (the calls billed meanwhile are covered by the next one)
   */
  afterBilled?: (call: { buyerId: number; product: string; now: number }) => Promise<unknown>;
  /** hands out this server's hold book (opened on first use), e.g. for its group-commit stats */
  holdBook?: (get: () => Promise<HoldBook>) => void;
}

interface Meter {
  start: number;
  requestId: string;
  product: string;
  mode: 'appcode' | 'signature';
  app: AppCredentials;
  appCode?: string;
  signatureMethod?: SignatureMethod;
  idempotencyKey?: string;
  rawBody?: Buffer;
  /** a multipart body's MD5 (base64), counted as @fastify/multipart reads it; undefined until read to the end */
  multipartMd5?: { digest?: string };
  hold?: Hold;
  /** an idempotent retry of a call already billed: answered, not charged */
  billedBefore?: boolean;
  settled?: boolean;
}

const kMeter = Symbol('shiming.meter');
type MeteredRequest = FastifyRequest & { [kMeter]?: Meter };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Sends a gateway refusal. */
export function sendRefusal(reply: FastifyReply, refusal: GatewayRefusal, requestId: string): FastifyReply {
  return reply.code(refusal.status)
    .header('x-ca-error-message', headerSafe(refusal.errorMessage))
    .header('x-ca-error-code', refusal.code)
    .header('x-ca-request-id', requestId)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ errorCode: refusal.code, errorMessage: refusal.errorMessage, requestId }));
}

function requestIdOf(request: FastifyRequest): string {
  return UUID.test(request.id) ? request.id.toUpperCase() : newRequestId();
}

const APPCODE = /^\s*appcode(?:\s+(.*?))?\s*$/i;

/** at most one renewal-warning check per buyer and product this often while billed calls keep coming */
const RENEWAL_CHECK_MS = 1000;

export function registerMetering(app: FastifyInstance, deps: MeteringDeps): void {
  const db = deps.store.db;
  const clock = deps.clock ?? Date.now;
  const nodeId = deps.nodeId ?? `${os.hostname()}:${process.pid}`;
  const gw: MeteringGatewayOptions = typeof deps.gateway === 'string' || Buffer.isBuffer(deps.gateway) || !('secretKey' in deps.gateway)
    ? { secretKey: deps.gateway as string | Buffer }
    : deps.gateway as MeteringGatewayOptions;
  const billableCodes = deps.billing?.billableCodes ?? DEFAULT_BILLABLE_CODES;
  const holdTtlMs = deps.billing?.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
  const directory = new AppDirectory(db, gw.secretKey, gw.appCacheTtlMs ?? 60_000, clock);
  const limiter = new RateLimiter(gw.rateLimits ?? {
    appPerSecond: gw.appCallsPerSecond,
    buyerPerSecond: gw.buyerCallsPerSecond,
    apiPerSecond: { 'idcard-ocr': gw.ocrCallsPerSecond ?? 0, 'idcard-verify': gw.verifyCallsPerSecond ?? 0 },
  });
  let holdBook: Promise<HoldBook> | undefined;
  let opened: HoldBook | undefined;
  const book = () => (holdBook ??= openHoldBook(db, { thread: deps.billing?.sqliteThread }).then((b) => (opened = b)));
  deps.holdBook?.(book);
  const report = deps.onError ?? ((err: unknown, where: string) => app.log.error({ err }, `metering: ${where} failed`));

  if (!app.hasRequestDecorator('resultCode')) app.decorateRequest('resultCode', undefined);
  if (!app.hasRequestDecorator('caller')) app.decorateRequest('caller', undefined);

  type Who = Omit<Meter, 'start' | 'requestId' | 'product'>;

  /** The AppCode of `Authorization: APPCODE <code>`; undefined for another scheme; throws on a malformed one. */
  function appCodeOf(request: FastifyRequest): string | undefined {
    const authorization = header(request, 'authorization');
    const appcode = authorization !== undefined ? APPCODE.exec(authorization) : null;
    if (!appcode) return undefined;
    const code = appcode[1] ?? '';
    if (!code || /\s/.test(code)) throw new GatewayRefusal('InvalidAppCode');
    return code;
  }

  /** identify() without an await when the caller's app is cached (the common case) */
  function identifyCached(request: FastifyRequest): Who | undefined {
    const code = appCodeOf(request);
    if (code === undefined) return undefined;
    const app = directory.peekByCode(code);
    return app ? { mode: 'appcode', app, appCode: code } : undefined;
  }

  /** Who is calling: refusals that need neither the body nor the database's write path. */
  async function identify(request: FastifyRequest, now: number): Promise<Who> {
    const code = appCodeOf(request);
    if (code !== undefined) {
      const found = await directory.findByCode(code);
      if (!found) throw new GatewayRefusal('InvalidAppCode');
      return { mode: 'appcode', app: found, appCode: code };
    }
    const appKey = header(request, 'x-ca-key');
    const signature = header(request, 'x-ca-signature');
    if (!appKey || !signature) throw new GatewayRefusal('EmptySignature');
    const found = await directory.findByKey(appKey);
    if (!found) throw new GatewayRefusal('InvalidAppKey');
    const method = parseSignatureMethod(header(request, 'x-ca-signature-method'));
    if (!method) throw new GatewayRefusal('InvalidSignatureMethod');
    const ts = header(request, 'x-ca-timestamp');
    if (!ts || !/^\d{1,16}$/.test(ts.trim())) throw new GatewayRefusal('InvalidTimestamp');
    if (Math.abs(now - Number(ts.trim())) > TIMESTAMP_WINDOW_MS) throw new GatewayRefusal('TimestampExpired');
    return { mode: 'signature', app: found, signatureMethod: method };
  }

  /**
   * Content-MD5, when the client sends one (the vendor's client does on every non-form POST),
   * must be base64(MD5) of the body as received, in either authentication mode: JSON, binary and
   * multipart bodies (a multipart body is hashed as the multipart parser reads it) and form
   * bodies alike. In a signature the header is signed, so for a non-form body it is what binds
   * the body to the signature; form parameters are signed themselves.
   */
  function checkContentMd5(request: FastifyRequest, m: Meter): void {
    const md5 = header(request, 'content-md5')?.trim();
    if (!md5) return;
    const actual = m.multipartMd5 ? m.multipartMd5.digest : m.rawBody !== undefined ? contentMd5(m.rawBody) : undefined;
    // A body nobody read to the end (no multipart parser consumed it) cannot be checked: refused.
    if (actual === undefined || !signaturesEqual(actual, md5)) throw new GatewayRefusal('InvalidContentMD5');
  }

  function verifySignature(request: FastifyRequest, m: Meter): void {
    const contentType = header(request, 'content-type');
    const form = isFormContentType(contentType);
    const url = request.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const parameters = parseParameters(q < 0 ? '' : url.slice(q + 1));
    if (form && m.rawBody) parseParameters(m.rawBody.toString('utf8'), parameters);
    const stringToSign = buildStringToSign(
      { method: request.method, header: (n) => header(request, n), path, parameters },
      signedHeaderNames(header(request, 'x-ca-signature-headers')),
    );
    const expected = sign(m.app.secret, stringToSign, m.signatureMethod);
    if (!signaturesEqual(expected, (header(request, 'x-ca-signature') ?? '').trim())) {
      throw new GatewayRefusal('InvalidSignature', showStringToSign(stringToSign));
    }
  }

  function allowed(m: Meter): boolean {
    return m.app.active && (!m.app.products || m.app.products.has(m.product));
  }

  function checkAllowed(m: Meter): void {
    if (!allowed(m)) throw new GatewayRefusal('Unauthorized');
  }

  // X-Ca-Request-Id on every answer, metered or not. The hooks are callback-style with a
  // synchronous fast path (a cached app, no body to keep): an async hook costs promises and
  // microtask turns on every call.
  function meter(request: MeteredRequest, who: Who, now: number, requestId: string, product: string): void {
    const idem = header(request, 'idempotency-key') ?? (who.mode === 'appcode' ? header(request, 'x-ca-nonce') : undefined);
    request[kMeter] = {
      mode: who.mode, app: who.app, appCode: who.appCode, signatureMethod: who.signatureMethod,
      start: now, requestId, product, idempotencyKey: idem && idem.length <= 256 ? idem : undefined,
    };
  }
  app.addHook('onRequest', (request: MeteredRequest, reply, done) => {
    const requestId = requestIdOf(request);
    reply.header('x-ca-request-id', requestId);
    const product = request.routeOptions.config?.product;
    if (!product) return done();
    const now = clock();
    try {
      const cached = identifyCached(request);
      if (cached) {
        meter(request, cached, now, requestId, product);
        return done();
      }
    } catch (err) {
      return refuseCaller(reply, err, requestId);
    }
    identify(request, now).then((who) => {
      meter(request, who, now, requestId, product);
      done();
    }, (err: unknown) => refuseCaller(reply, err, requestId));
  });
  function refuseCaller(reply: FastifyReply, err: unknown, requestId: string): void {
    if (err instanceof GatewayRefusal) sendRefusal(reply, err, requestId);
    else {
      report(err, 'authentication');
      sendRefusal(reply, new GatewayRefusal('ServiceUnavailable'), requestId);
    }
  }

  app.addHook('preParsing', (request: MeteredRequest, reply, payload, done) => {
    const m = request[kMeter];
    if (!m || (m.mode !== 'signature' && m.idempotencyKey === undefined && !header(request, 'content-md5')?.trim())) return done(null, payload);
    keepBody(request, reply, m, payload).then((p) => done(null, p), (err: Error) => done(err));
  });

  async function keepBody(request: MeteredRequest, reply: FastifyReply, m: Meter, payload: import('node:stream').Readable): Promise<import('node:stream').Readable> {
    const md5Sent = !!header(request, 'content-md5')?.trim();
    // @fastify/multipart reads request.raw itself (piping it into busboy in its preValidation
    // hook, before ours), so a multipart body is not kept here: when a Content-MD5 came with it,
    // its bytes are hashed on their way to the parser (a second 'data' listener, the stream
    // paused until the parser pipes it, so no chunk passes unseen). An idempotency key's
    // fingerprint covers a multipart body's length instead of its bytes.
    if (/^\s*multipart\//i.test(header(request, 'content-type') ?? '')) {
      if (md5Sent) {
        const raw = request.raw;
        const hash = crypto.createHash('md5');
        const tap: { digest?: string } = {};
        raw.on('data', (chunk: Buffer) => hash.update(chunk));
        raw.pause();
        raw.once('end', () => { tap.digest = hash.digest('base64'); });
        m.multipartMd5 = tap;
      }
      return payload;
    }
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      size += (chunk as Buffer).length;
      if (size > limit) return sendRefusal(reply, new GatewayRefusal('RequestBodyTooLarge'), m.requestId);
      chunks.push(chunk as Buffer);
    }
    m.rawBody = Buffer.concat(chunks);
    const replay = Readable.from([m.rawBody]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = m.rawBody.length;
    return replay;
  }

  app.addHook('preValidation', (request: MeteredRequest, reply, done) => {
    const m = request[kMeter];
    if (!m) return done();
    // The common call (an AppCode, no idempotency key, an app allowed the product, the hold book
    // open) goes without a promise: admit()'s checks, then the hold by callback. Anything else,
    // or a reserve that took nothing, takes admit()'s path. (Only anonymous closures per call:
    // tsx names every named one with Object.defineProperty, which showed in the profile.)
    if (m.mode === 'appcode' && m.idempotencyKey === undefined && opened && allowed(m)) {
      const now = clock();
      try {
        checkContentMd5(request, m);
        throttle(m, now);
      } catch (err) {
        return refuseAdmission(reply, m, err);
      }
      opened.reserveCb(reserveInput(m, now), (err, r) => {
        if (err !== undefined) return refuseAdmission(reply, m, err);
        if (r!.ok) {
          m.hold = r!.hold;
          return admitted(request, m, done);
        }
        takeHold(request, m, now, r).then(() => admitted(request, m, done), (e: unknown) => refuseAdmission(reply, m, e));
      });
      return;
    }
    admit(request, m).then(() => admitted(request, m, done), (err: unknown) => refuseAdmission(reply, m, err));
  });

  function admitted(request: MeteredRequest, m: Meter, done: () => void): void {
    request.caller = { buyerId: m.app.buyerId, appId: m.app.id, requestId: m.requestId };
    done();
  }

  function refuseAdmission(reply: FastifyReply, m: Meter, err: unknown): void {
    if (err instanceof GatewayRefusal) {
      sendRefusal(reply, err, m.requestId);
      return;
    }
    report(err, 'admission');
    sendRefusal(reply, new GatewayRefusal('ServiceUnavailable'), m.requestId);
  }

  function throttle(m: Meter, now: number): void {
    const throttled = limiter.enabled ? limiter.take({ appId: m.app.id, buyerId: m.app.buyerId, product: m.product, now }) : undefined;
    if (throttled) throw new GatewayRefusal(throttled);
  }

  function reserveInput(m: Meter, now: number): ReserveInput {
    return { buyerId: m.app.buyerId, appId: m.app.id, product: m.product, requestId: m.requestId, now, holdTtlMs, appVersion: m.app.version };
  }

  async function admit(request: MeteredRequest, m: Meter): Promise<void> {
    const now = clock();
    checkContentMd5(request, m);
    if (m.mode === 'signature') verifySignature(request, m);
    if (!allowed(m)) {
      // The cache may predate an enable or a change of products: read the app again first.
      directory.forget(m.app.id);
      const fresh = await identify(request, now);
      if (fresh.app.id !== m.app.id) throw new GatewayRefusal(m.mode === 'appcode' ? 'InvalidAppCode' : 'InvalidAppKey');
      m.app = fresh.app;
      if (m.mode === 'signature') verifySignature(request, m);
      checkAllowed(m);
    }
    const nonce = header(request, 'x-ca-nonce');
    if (m.mode === 'signature' && nonce) {
      if (!(await useNonce(db, { appId: m.app.id, nonce, now, windowMs: TIMESTAMP_WINDOW_MS }))) throw new GatewayRefusal('NonceUsed');
    }
    throttle(m, now);
    if (m.idempotencyKey !== undefined) {
      const url = request.url;
      const claim = await claimIdempotencyKey(db, {
        appId: m.app.id, key: m.idempotencyKey, requestId: m.requestId, now, staleAfterMs: holdTtlMs,
        fingerprint: requestFingerprint(request.method, url, m.rawBody ?? Buffer.from(`length:${header(request, 'content-length') ?? ''}`)),
      });
      if (claim.kind === 'reused') throw new GatewayRefusal('IdempotencyKeyReused');
      if (claim.kind === 'in-progress') throw new GatewayRefusal('RequestInProgress');
      if (claim.kind === 'billed-before') {
        m.billedBefore = true;
        return;
      }
    }
    await takeHold(request, m, now);
  }

  /** The hold, or the refusal that says why there is none; `first`: a reserve already answered. */
  async function takeHold(request: MeteredRequest, m: Meter, now: number, first?: ReserveResult): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const r = attempt === 0 && first ? first : await (opened ?? await book()).reserve(reserveInput(m, now));
      if (r.ok) {
        m.hold = r.hold;
        return;
      }
      if (r.reason !== 'app-changed' || attempt > 0) {
        await releaseIdempotency(m);
        throw new GatewayRefusal(r.reason === 'expired' ? 'QuotaExpired' : r.reason === 'exhausted' ? 'QuotaExhausted' : 'Unauthorized');
      }
      // The app was reset or disabled since we cached it: look it up again and re-check.
      directory.forget(m.app.id);
      try {
        const fresh = await identify(request, now);
        if (fresh.app.id !== m.app.id) throw new GatewayRefusal(m.mode === 'appcode' ? 'InvalidAppCode' : 'InvalidAppKey');
        m.app = fresh.app;
        if (m.mode === 'signature') verifySignature(request, m);
        checkAllowed(m);
      } catch (err) {
        await releaseIdempotency(m);
        throw err;
      }
    }
  }

  async function releaseIdempotency(m: Meter): Promise<void> {
    if (m.idempotencyKey === undefined) return;
    await finishIdempotencyKey(db, { appId: m.app.id, key: m.idempotencyKey, requestId: m.requestId, billed: false });
  }

  // After a billed call, deps.afterBilled (the renewal-warning check: several queries) runs at
  // most once at a time per buyer and product, and at most once every RENEWAL_CHECK_MS while
  // calls keep coming: calls billed meanwhile are covered by the next check, which reads the
  // packages as they are then (a threshold crossed is still crossed). Without this every billed
  // call ran its own check on the event loop.
  type RenewalState = { running: boolean; again: boolean; timer?: NodeJS.Timeout };
  // by buyer, then product (no key string built per billed call)
  const renewals = new Map<number, Map<string, RenewalState>>();
  function afterBilled(buyerId: number, product: string): void {
    let byProduct = renewals.get(buyerId);
    let state = byProduct?.get(product);
    if (state?.running || state?.timer) {
      state.again = true;
      return;
    }
    if (!byProduct) renewals.set(buyerId, (byProduct = new Map()));
    if (!state) byProduct.set(product, (state = { running: false, again: false }));
    checkRenewal(byProduct, state, buyerId, product);
  }
  function checkRenewal(byProduct: Map<string, RenewalState>, state: RenewalState, buyerId: number, product: string): void {
    const started = Date.now();
    state.running = true;
    state.again = false;
    let check: Promise<unknown>;
    try {
      check = deps.afterBilled!({ buyerId, product, now: clock() });
    } catch (err) {
      check = Promise.reject(err);
    }
    check.catch((err: unknown) => report(err, 'afterBilled')).finally(() => {
      state.running = false;
      if (!state.again) {
        byProduct.delete(product);
        if (byProduct.size === 0 && renewals.get(buyerId) === byProduct) renewals.delete(buyerId);
        return;
      }
      state.timer = setTimeout(() => {
        state.timer = undefined;
        checkRenewal(byProduct, state, buyerId, product);
      }, Math.max(0, started + RENEWAL_CHECK_MS - Date.now()));
      state.timer.unref();
    });
  }

  // Settle before the answer leaves (onSend), so that a client that has its answer can count on
  // the ledger having it too (a retry sees the first call's outcome); onResponse catches answers
  // that skipped onSend.
  // `next` runs once the call is settled (or its settle failed and was reported); false when
  // there was nothing to settle (and `next` is not called).
  function settleCall(request: MeteredRequest, statusCode: number, next: () => void): boolean {
    const m = request[kMeter];
    if (!m || m.settled || (!m.hold && !m.billedBefore)) return false;
    m.settled = true;
    if (m.hold && m.idempotencyKey === undefined && opened) {
      // the common call, without a promise (settleMeter's first branch)
      const now = clock();
      const resultCode = statusCode < 300 ? request.resultCode : undefined;
      opened.settleCb(m.hold, { resultCode, billableCodes, latencyMs: now - m.start, node: nodeId, now }, (err, r) => {
        if (err !== undefined) report(err, 'settle');
        else if (r!.billed && deps.afterBilled) afterBilled(m.app.buyerId, m.product);
        next();
      });
      return true;
    }
    settleMeter(request, m, statusCode).then(next, next);
    return true;
  }
  async function settleMeter(request: MeteredRequest, m: Meter, statusCode: number): Promise<void> {
    const now = clock();
    // Product answers come back with HTTP 200; anything else (a crash in the handler) is not billed.
    const resultCode = statusCode < 300 ? request.resultCode : undefined;
    try {
      if (m.hold) {
        const r = await (opened ?? await book()).settle(m.hold, { resultCode, billableCodes, latencyMs: now - m.start, node: nodeId, now });
        if (r.billed && deps.afterBilled) afterBilled(m.app.buyerId, m.product);
        if (m.idempotencyKey !== undefined) {
          await finishIdempotencyKey(db, { appId: m.app.id, key: m.idempotencyKey, requestId: m.requestId, billed: r.billed, resultCode });
        }
      } else {
        await recordUnbilledCall(db, {
          requestId: m.requestId, buyerId: m.app.buyerId, appId: m.app.id, product: m.product, resultCode, latencyMs: now - m.start, node: nodeId, now,
        });
      }
    } catch (err) {
      // The hold stays pending and expires back to the buyer: a failed settle never charges.
      report(err, 'settle');
    }
  }
  app.addHook('onSend', (request: MeteredRequest, reply, payload, done) => {
    if (!settleCall(request, reply.statusCode, () => done(null, payload))) done(null, payload);
  });
  app.addHook('onResponse', (request: MeteredRequest, reply, done) => {
    if (!settleCall(request, reply.statusCode, () => done())) done();
  });

  if (deps.notFound === true) {
    app.setNotFoundHandler((request, reply) => {
      sendRefusal(reply, new GatewayRefusal('InvalidUrl'), requestIdOf(request));
    });
  }

  // A body over the limit, refused by fastify's own parser, still answers like the gateway.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 413 && !reply.hasHeader('x-ca-error-message')) {
      reply.header('x-ca-error-message', new GatewayRefusal('RequestBodyTooLarge').errorMessage);
      reply.header('x-ca-error-code', 'RequestBodyTooLarge');
    }
    done(null, payload);
  });

  // Housekeeping shared by all nodes: expired holds back to buyers, old nonces and keys out,
  // and this node's heartbeat for sizing its share of the rate limits.
  const interval = deps.sweepIntervalMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const housekeeping = async () => {
    const now = clock();
    try {
      await (await book()).sweep(now);
      await sweepGatewayState(db, now);
      limiter.setNodeCount(await heartbeat(db, nodeId, now));
    } catch (err) {
      report(err, 'housekeeping');
    }
  };
  app.addHook('onReady', async () => {
    await housekeeping();
    if (interval > 0) {
      timer = setInterval(() => void housekeeping(), Math.min(interval, 10_000));
      timer.unref();
    }
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    for (const byProduct of renewals.values()) for (const r of byProduct.values()) if (r.timer) clearTimeout(r.timer);
    if (holdBook) (await holdBook).close();
  });
}
