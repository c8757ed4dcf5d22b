// The SQLite hot path's thread (see sqlite-thread.ts): one SqliteFastPath on a connection of its
// own, answering the batches the event loop sends it. Errors go back as plain data.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteFastPath, FastPathBusy, type FastOp, type FastOutcome } from './sqlite-fast.ts';

export interface WireError { busy?: true; name?: string; message: string; code?: string }
export type WireOutcome = { ok: true; value: unknown } | { ok: false; error: WireError };
export type Request =
  | { id: number; type: 'batch'; ops: FastOp[] }
  | { id: number; type: 'sweep'; now: number }
  | { id: number; type: 'close' };
export type Answer = { id: number; out?: WireOutcome[]; n?: number; error?: WireError } | { ready: true } | { failed: WireError };

export function toWire(err: unknown): WireError {
  if (err instanceof FastPathBusy) return { busy: true, message: err.message };
  const e = err as { name?: string; message?: string; code?: string };
  return { name: e?.name, message: String(e?.message ?? err), code: typeof e?.code === 'string' ? e.code : undefined };
}

if (parentPort && workerData?.sqliteHotPath) {
  const port = parentPort;
  const { file, busyTimeoutMs, checkpointMs } = workerData.sqliteHotPath as { file: string; busyTimeoutMs: number; checkpointMs?: number };
  let f: SqliteFastPath;
  try {
    f = new SqliteFastPath(file, busyTimeoutMs, checkpointMs);
    port.postMessage({ ready: true } satisfies Answer);
  } catch (err) {
    port.postMessage({ failed: toWire(err) } satisfies Answer);
    process.exit(1);
  }
  port.on('message', (m: Request) => {
    if (m.type === 'batch') {
      const out = f.runBatch(m.ops).map((o: FastOutcome): WireOutcome => (o.ok ? o : { ok: false, error: toWire(o.error) }));
      port.postMessage({ id: m.id, out } satisfies Answer);
    } else if (m.type === 'sweep') {
      try {
        port.postMessage({ id: m.id, n: f.sweep(m.now) } satisfies Answer);
      } catch (err) {
        port.postMessage({ id: m.id, error: toWire(err) } satisfies Answer);
      }
    } else {
      f.close();
      port.postMessage({ id: m.id, n: 0 } satisfies Answer);
      port.close();
    }
  });
}
