// The SQLite hot path in a worker thread: the group-commit transactions (SqliteFastPath) run
// off the event loop, which meanwhile parses, authenticates and answers other calls; on a
// machine with a core to spare this takes SQLite's share (about a quarter of a metered call's
// CPU) off the thread that every call waits for. It also lets a batch wait for another
// process's write lock inside SQLite (a blocking busy timeout, harmless in this thread) instead
// of retrying after timers. Same decisions, same transactions: the code is SqliteFastPath's.
import { Worker } from 'node:worker_threads';
import { typeScriptWorkerSource } from '../worker-boot.ts';
import { FastPathBusy, SqliteFastPath, type FastOp, type FastOutcome } from './sqlite-fast.ts';
import type { Answer, Request, WireError, WireOutcome } from './sqlite-worker.ts';

const boot = typeScriptWorkerSource(new URL('./sqlite-worker.ts', import.meta.url));

type Ask = { type: 'batch'; ops: FastOp[] } | { type: 'sweep'; now: number } | { type: 'close' };

function fromWire(e: WireError): unknown {
  if (e.busy) return new FastPathBusy(e.message);
  const err = new Error(e.message) as Error & { code?: string };
  if (e.name) err.name = e.name;
  if (e.code) err.code = e.code;
  return err;
}

/** What openHoldBook needs of a hot path, in this thread or another. */
export interface HotPath {
  runBatch(ops: FastOp[]): Promise<FastOutcome[]> | FastOutcome[];
  sweep(now: number): Promise<number> | number;
  close(): void;
}

export class SqliteThread implements HotPath {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (err: unknown) => void }>();
  private dead?: Error;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (a: Answer) => {
      if (!('id' in a)) return;
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(a);
    });
    const fail = (err: Error) => {
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`SQLite hot path thread exited (${code})`)));
  }

  /** Starts the thread and waits until its connection is open. */
  static async open(file: string, busyTimeoutMs: number, checkpointMs?: number): Promise<SqliteThread> {
    const worker = new Worker(boot, { eval: true, workerData: { sqliteHotPath: { file, busyTimeoutMs, checkpointMs } } });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => settle(new Error(`SQLite hot path thread exited (${code})`));
      const onMessage = (a: Answer) => {
        if ('ready' in a) settle();
        else if ('failed' in a) settle(fromWire(a.failed));
      };
      // (never removeAllListeners on a Worker: Node keeps listeners of its own on it)
      const settle = (err?: unknown) => {
        worker.off('message', onMessage);
        worker.off('error', settle);
        worker.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      worker.on('message', onMessage);
      worker.on('error', settle);
      worker.on('exit', onExit);
    });
    worker.unref();
    return new SqliteThread(worker);
  }

  /** the thread failed or exited: use another hot path */
  get failed(): boolean {
    return this.dead !== undefined;
  }

  private ask(m: Ask): Promise<Answer> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<Answer>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref(); // a call in flight keeps the process alive
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...m, id } as Request);
    });
  }

  async runBatch(ops: FastOp[]): Promise<FastOutcome[]> {
    const a = await this.ask({ type: 'batch', ops }) as { out: WireOutcome[] };
    return a.out.map((o): FastOutcome => (o.ok ? { ok: true, value: o.value as never } : { ok: false, error: fromWire(o.error) }));
  }

  async sweep(now: number): Promise<number> {
    const a = await this.ask({ type: 'sweep', now }) as { n?: number; error?: WireError };
    if (a.error) throw fromWire(a.error);
    return a.n ?? 0;
  }

  close(): void {
    if (this.dead) return;
    this.ask({ type: 'close' }).catch(() => {}).finally(() => void this.worker.terminate());
  }
}

/** The hot path in this thread (the event loop runs each batch's transaction itself). */
export function inThread(file: string, busyTimeoutMs: number, checkpointMs?: number): HotPath {
  const f = new SqliteFastPath(file, busyTimeoutMs, checkpointMs);
  return { runBatch: (ops) => f.runBatch(ops), sweep: (now) => f.sweep(now), close: () => f.close() };
}
