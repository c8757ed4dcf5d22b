// A pool worker: loads the models once, then reads cards posted by the pool one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { createLocalEngine } from './engine-local.ts';
import { ImageRejected } from './image.ts';

export interface Job {
  id: number;
  image: Uint8Array;
}

/** What the pool gives each worker: intra-op threads, the model graphs to load (files, or bytes), and its links
 *  to the other workers (absent: no sharing of line recognition). */
export interface WorkerData {
  threads: number;
  graphs: import('./ocr/engine.ts').ModelGraphs;
  peers?: import('./peer.ts').PeerSetup;
  /** images with a longer side are decoded reduced (engine-local.ts) */
  maxSide?: number;
}

export type Reply =
  | { id: number; ok: true; result: import('./types.ts').RecognitionResult }
  | { id: number; ok: false; error: { message: string; imageCode?: '-2' | '-3'; reason?: string } };

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');

const data = workerData as Partial<WorkerData>;
const engine = await createLocalEngine({ threads: data.threads ?? 1, graphs: data.graphs, peers: data.peers, maxSide: data.maxSide });
// the sessions hold what they need of the graphs: drop this thread's copy of the bytes (15 MB)
// when the pool passed bytes (the cache could not be used), which `workerData` would otherwise
// keep alive for the life of the thread
delete data.graphs;
port.on('message', async (msg: Job | 'close' | { type: string }) => {
  // messages with a `type` are for peer.ts (a port to a new peer)
  if (typeof msg === 'object' && 'type' in msg) return;
  if (msg === 'close') {
    await engine.close();
    port.close();
    return;
  }
  try {
    const result = await engine.read(Buffer.from(msg.image.buffer, msg.image.byteOffset, msg.image.byteLength));
    port.postMessage({ id: msg.id, ok: true, result } satisfies Reply);
  } catch (err) {
    const error =
      err instanceof ImageRejected
        ? { message: err.message, imageCode: err.code, reason: err.reason }
        : { message: err instanceof Error ? err.message : String(err) };
    port.postMessage({ id: msg.id, ok: false, error } satisfies Reply);
  }
});
port.postMessage('ready');
