// A pool of worker threads, one per core by default, each with its own models; jobs wait in
// one queue and go to the first idle worker. `poolSize: 0` reads in the calling thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { typeScriptWorkerSource } from '../worker-boot.ts';
import { createLocalEngine } from './engine-local.ts';
import { ImageRejected } from './image.ts';
import type { RecognitionResult, Recognizer } from './types.ts';
import type { Job, Reply, WorkerData } from './worker.ts';
import type { ModelGraphs } from './ocr/engine.ts';

export interface RecognizerOptions {
  /** worker threads; default: the number of cores. 0 = no workers, read in this thread. */
  poolSize?: number;
  /** ONNX Runtime intra-op threads per worker (default 1: one worker, one core). More lets one
   *  request use an idle core; the extra threads sleep rather than spin between ops. */
  threads?: number;
}

const BOOT = typeScriptWorkerSource(new URL('./worker.ts', import.meta.url));

/** The rewritten model graphs, made once in a thread of their own (see graphs-worker.ts). */
function graphsFromWorker(): Promise<ModelGraphs> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(typeScriptWorkerSource(new URL('./graphs-worker.ts', import.meta.url)), { eval: true });
    worker.once('message', (graphs: ModelGraphs) => {
      resolve(graphs);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`model graph worker exited (${code})`)));
  });
}

interface Pending {
  job: Job;
  resolve: (r: RecognitionResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export async function createRecognizer(opts: RecognizerOptions = {}): Promise<Recognizer> {
  const size = opts.poolSize ?? availableParallelism();
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  if (size <= 0) return inThread(threads);
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.busy || !queue.length) continue;
      const p = queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage(p.job, [p.job.image.buffer as ArrayBuffer]);
    }
  };

  // not kept once the workers have loaded them (15 MB): a worker that dies is replaced from a
  // fresh rewrite, which costs a second or two once, rather than 15 MB resident for good
  // (the worker is made outside the closures below, which would otherwise keep `graphs` alive)
  const start = (graphs: ModelGraphs): Promise<Slot> =>
    launch(new Worker(BOOT, { eval: true, workerData: { threads, graphs } satisfies WorkerData }));
  const launch = (worker: Worker): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const slot: Slot = { worker, busy: null };
      worker.once('error', reject);
      worker.on('message', (msg: Reply | 'ready') => {
        if (msg === 'ready') {
          worker.off('error', reject);
          worker.on('error', (err) => fail(slot, err));
          resolve(slot);
          return;
        }
        const p = slot.busy;
        slot.busy = null;
        if (p && p.job.id === msg.id) {
          if (msg.ok) p.resolve(msg.result);
          else if (msg.error.imageCode) p.reject(new ImageRejected(msg.error.imageCode, msg.error.reason ?? msg.error.message));
          else p.reject(new Error(msg.error.message));
        }
        dispatch();
      });
      worker.on('exit', (code) => {
        if (!closed) fail(slot, new Error(`recognition worker exited (${code})`));
      });
    });

  // a worker that dies takes only its own job with it; a fresh one takes its place
  const fail = (slot: Slot, err: Error) => {
    const p = slot.busy;
    slot.busy = null;
    p?.reject(err);
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    void slot.worker.terminate();
    if (!closed) {
      startFresh(1).then((s) => { slots.push(...s); dispatch(); }, () => undefined);
    }
  };

  // the graphs live in this function's own scope only, not in the closures the pool keeps
  async function startFresh(n: number): Promise<Slot[]> {
    const graphs = await graphsFromWorker();
    return Promise.all(Array.from({ length: n }, () => start(graphs)));
  }
  slots.push(...(await startFresh(size)));

  return {
    read(image: Buffer): Promise<RecognitionResult> {
      if (closed) return Promise.reject(new Error('recognizer closed'));
      // a private copy the worker can own (the caller's buffer may be a slice of a pool)
      const copy = new Uint8Array(image.byteLength);
      copy.set(image);
      return new Promise((resolve, reject) => {
        queue.push({ job: { id: nextId++, image: copy }, resolve, reject });
        dispatch();
      });
    },
    queueLength: () => queue.length,
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error('recognizer closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

async function inThread(threads: number): Promise<Recognizer> {
  const engine = await createLocalEngine({ threads });
  let waiting = 0;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    read(image) {
      waiting++;
      const run = chain.then(() => {
        waiting--;
        return engine.read(image);
      });
      chain = run.catch(() => undefined);
      return run;
    },
    queueLength: () => Math.max(0, waiting - 1),
    close: () => engine.close(),
  };
}
