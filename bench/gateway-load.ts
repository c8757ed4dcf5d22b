// A small HTTP/1.1 keep-alive load generator for the gateway benchmark, run in its own process
// so that its CPU is its own and the bench measures the servers: raw `net` sockets, the request
// bytes built once per target, one request in flight per connection, the answer parsed just
// enough (status line, Content-Length or chunked body) to know where it ends, every latency kept
// (microseconds) and sorted at the end for exact percentiles.
//
//   node --import tsx bench/gateway-load.ts '<json spec>'
//
// spec: { targets: [{ port, host?, method?, path, headers?, body? }], connections (per target),
//         duration (s), timeout? (s) }. Prints one JSON line on stdout: totals, percentiles (ms),
// non-2xx, errors, and the same per target. Answers that are not 2xx and socket errors or
// timeouts are counted, never hidden; the caller fails the run on them.
import net from 'node:net';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

export interface LoadTarget {
  host?: string;
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  targets: LoadTarget[];
  /** connections per target */
  connections: number;
  /** seconds */
  duration: number;
  /** seconds one request may take before it counts as an error (default 10) */
  timeout?: number;
  /** also answer the slowest this fraction of requests with when they were sent (bench/gateway-tail.ts) */
  slowest?: number;
}

export interface LoadStats {
  requests: number;
  /** completed answers per second over the run */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  non2xx: number;
  errors: number;
  /** answers by HTTP status */
  statuses: Record<string, number>;
}

export interface LoadResult extends LoadStats {
  seconds: number;
  /** the generator's own CPU time (user + system) over the run, microseconds */
  cpuUs: number;
  targets: LoadStats[];
  /** the generator's own stalls: its event loop delay (ms) and garbage collection pauses */
  own: { loopP99: number; loopMax: number; gcCount: number; gcMs: number; gcMaxMs: number };
  /** with `slowest`: [sent at (epoch ms), latency ms] of the slowest requests, slowest first */
  slow?: Array<[number, number]>;
}

class Latencies {
  private a = new Float64Array(1 << 16);
  /** when each request was sent (performance.now()), kept only when asked */
  at?: Float64Array;
  n = 0;
  push(ms: number, sentAt?: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
      if (this.at) {
        const c = new Float64Array(this.a.length);
        c.set(this.at);
        this.at = c;
      }
    }
    if (this.at && sentAt !== undefined) this.at[this.n] = sentAt;
    this.a[this.n++] = ms;
  }
  /** the slowest `fraction` of requests as [sent at (epoch ms), ms]; call before stats() sorts */
  slowest(fraction: number): Array<[number, number]> {
    const idx = Array.from({ length: this.n }, (_, i) => i).sort((x, y) => this.a[y] - this.a[x]);
    const origin = performance.timeOrigin;
    return idx.slice(0, Math.ceil(this.n * fraction)).map((i) => [Math.round((origin + (this.at?.[i] ?? 0)) * 100) / 100, Math.round(this.a[i] * 100) / 100]);
  }
  stats(seconds: number, non2xx: number, errors: number, statuses: Record<string, number>): LoadStats {
    const s = this.a.subarray(0, this.n).sort();
    const at = (q: number) => (this.n ? s[Math.min(this.n - 1, Math.ceil(q * this.n) - 1)] : 0);
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += s[i];
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      requests: this.n, rps: r2(this.n / seconds), p50: r2(at(0.5)), p90: r2(at(0.9)), p99: r2(at(0.99)), max: r2(this.n ? s[this.n - 1] : 0),
      mean: r2(this.n ? sum / this.n : 0), non2xx, errors, statuses,
    };
  }
}

interface TargetState {
  request: Buffer;
  lat: Latencies;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const HTTP11 = Buffer.from('HTTP/1.1 ', 'latin1');
const CONTENT_LENGTH = [Buffer.from('\r\ncontent-length:', 'latin1'), Buffer.from('\r\nContent-Length:', 'latin1')];

/**
 * Where the first complete answer in `buf` ends, and its status; undefined while incomplete.
 * Throws on bytes that are not an HTTP/1.1 answer. The usual answer (a Content-Length header
 * spelled in lower or title case) is read without making strings: the generator's own garbage
 * collections stall it, and every stall shows up as latency of the server's.
 */
export function parseAnswer(buf: Buffer): { end: number; status: number } | undefined {
  const head = buf.indexOf(CRLF2);
  if (head < 0) return undefined;
  if (buf.compare(HTTP11, 0, 9, 0, 9) !== 0) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify(buf.toString('latin1', 0, 40))}`);
  const digit = (i: number) => {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) throw new Error('bad status code');
    return d;
  };
  const status = digit(9) * 100 + digit(10) * 10 + digit(11);
  for (const needle of CONTENT_LENGTH) {
    const at = buf.indexOf(needle);
    if (at < 0 || at > head) continue;
    let i = at + needle.length;
    while (buf[i] === 32 || buf[i] === 9) i++;
    let length = 0;
    const start = i;
    for (; buf[i] >= 48 && buf[i] <= 57; i++) length = length * 10 + buf[i] - 48;
    if (i === start || buf[i] !== 13) break; // not plain digits up to the line's end: the general path
    const end = head + 4 + length;
    return buf.length >= end ? { end, status } : undefined;
  }
  const headers = buf.toString('latin1', 0, head).toLowerCase();
  const cl = /\r\ncontent-length:[ \t]*(\d+)/.exec(headers);
  if (cl) {
    const end = head + 4 + Number(cl[1]);
    return buf.length >= end ? { end, status } : undefined;
  }
  if (/\r\ntransfer-encoding:[ \t]*chunked/.test(headers)) {
    let at = head + 4;
    for (;;) {
      const eol = buf.indexOf('\r\n', at, 'latin1');
      if (eol < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, eol), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      at = eol + 2 + size + 2;
      if (buf.length < at) return undefined;
      if (size === 0) return { end: at, status };
    }
  }
  if (status === 204 || status === 304) return { end: head + 4, status };
  throw new Error('answer without Content-Length or chunked encoding');
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const timeoutMs = (spec.timeout ?? 10) * 1000;
  const states: TargetState[] = spec.targets.map((t) => {
    const body = Buffer.from(t.body ?? '');
    const host = t.host ?? '127.0.0.1';
    let head = `${t.method ?? 'GET'} ${t.path} HTTP/1.1\r\nhost: ${host}:${t.port}\r\nconnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(t.headers ?? {})) head += `${k}: ${v}\r\n`;
    if (body.length > 0 || (t.method ?? 'GET') !== 'GET') head += `content-length: ${body.length}\r\n`;
    const lat = new Latencies();
    if (spec.slowest) lat.at = new Float64Array(1 << 16);
    return { request: Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]), lat, non2xx: 0, errors: 0, statuses: {} };
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const gc = { count: 0, ms: 0, max: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.ms += e.duration;
      gc.max = Math.max(gc.max, e.duration);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const endAt = started + spec.duration * 1000;
  let stopped = false;

  const connection = (t: LoadTarget, st: TargetState) => new Promise<void>((done) => {
    let socket: net.Socket;
    let buf: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    let inFlight = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (timer) clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      done();
    };
    const send = () => {
      if (stopped || performance.now() >= endAt) return finish();
      sentAt = performance.now();
      inFlight = true;
      socket.write(st.request);
    };
    const fail = () => {
      st.errors++;
      buf = Buffer.alloc(0);
      inFlight = false;
      if (timer) clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      if (stopped || performance.now() >= endAt) return done();
      // a short pause so a server that refuses connections does not spin the generator
      setTimeout(open, 10);
    };
    const open = () => {
      socket = net.connect({ host: t.host ?? '127.0.0.1', port: t.port, noDelay: true });
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        let answer;
        try {
          answer = parseAnswer(buf);
        } catch {
          return fail();
        }
        if (!answer) return;
        const ms = performance.now() - sentAt;
        inFlight = false;
        buf = answer.end === buf.length ? Buffer.alloc(0) : buf.subarray(answer.end);
        if (buf.length > 0) return fail(); // one request in flight: nothing else may arrive
        st.lat.push(ms, sentAt);
        st.statuses[answer.status] = (st.statuses[answer.status] ?? 0) + 1;
        if (answer.status < 200 || answer.status >= 300) st.non2xx++;
        send();
      });
      socket.on('error', fail);
      socket.on('close', () => {
        if (inFlight) return fail();
        // the server closed an idle connection: open another, not an error
        socket.removeAllListeners();
        if (stopped || performance.now() >= endAt) return finish();
        open();
      });
    };
    open();
    // one timer per connection checks the request in flight for a timeout
    timer = setInterval(() => {
      if (inFlight && performance.now() - sentAt > timeoutMs) fail();
    }, 250);
    timer.unref();
  });

  const all: Array<Promise<void>> = [];
  spec.targets.forEach((t, i) => {
    for (let c = 0; c < spec.connections; c++) all.push(connection(t, states[i]));
  });
  const stopTimer = setTimeout(() => { stopped = true; }, spec.duration * 1000 + timeoutMs);
  await Promise.all(all);
  clearTimeout(stopTimer);
  stopped = true;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  gcObserver.disconnect();
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const own = { loopP99: r2(loop.percentile(99) / 1e6), loopMax: r2(loop.max / 1e6), gcCount: gc.count, gcMs: r2(gc.ms), gcMaxMs: r2(gc.max) };
  const merged = new Latencies();
  if (spec.slowest) merged.at = new Float64Array(1 << 16);
  const statuses: Record<string, number> = {};
  let non2xx = 0;
  let errors = 0;
  const targets = states.map((st) => {
    const a = st.lat as unknown as { a: Float64Array; n: number };
    const at = st.lat.at;
    for (let i = 0; i < a.n; i++) merged.push(a.a[i], at?.[i]);
    for (const [k, v] of Object.entries(st.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    non2xx += st.non2xx;
    errors += st.errors;
    return st.lat.stats(seconds, st.non2xx, st.errors, st.statuses);
  });
  const slow = spec.slowest ? merged.slowest(spec.slowest) : undefined;
  return { ...merged.stats(seconds, non2xx, errors, statuses), ...(slow ? { slow } : {}), seconds: Math.round(seconds * 1000) / 1000, cpuUs: cpu.user + cpu.system, own, targets };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const result = await runLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
