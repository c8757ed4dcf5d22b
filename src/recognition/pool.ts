// A pool of worker threads, one per core by default, each with its own models; jobs wait in
// one queue and go to the first idle worker. `poolSize: 0` reads in the calling thread.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { typeScriptWorkerSource } from '../worker-boot.ts';
import { createLocalEngine } from './engine-local.ts';
import { ImageRejected } from './image.ts';
import type { RecognitionResult, Recognizer } from './types.ts';
import type { Job, Reply, WorkerData } from './worker.ts';
import { modelSources, type ModelGraphs } from './ocr/engine.ts';
import { cachedGraphFiles, defaultGraphCacheDir } from './ocr/graph-cache.ts';
import { createPeerControl, IDLE, OWN, PEER, type PeerPortMessage, type PeerSetup } from './peer.ts';

export interface RecognizerOptions {
  /** worker threads; default: the number of cores. 0 = no workers, read in this thread. */
  poolSize?: number;
  /** ONNX Runtime intra-op threads per worker (default 1: one worker, one core). More lets one
   *  request use an idle core; the extra threads sleep rather than spin between ops. */
  threads?: number;
  /** let a worker use an idle worker's core (peer.ts): `true` (default) shares a card's line
   *  recognition and runs its text detection on two threads; 'lines' only the former; false neither */
  peers?: boolean | 'lines';
  /** share with an idle worker even while other processes keep the cores busy (tests) */
  peersAlways?: boolean;
  /** fault injection for tests: each worker's thread exits after reading this many lines for a peer */
  peerExitAfterLines?: number;
  /** images with a longer side are decoded reduced (default RECOGNITION_MAX_SIDE, image.ts;
   *  4096 = every accepted image at full size, for measuring what the reduction saves) */
  maxSide?: number;
  /** where the rewritten model graphs are kept between starts (ocr/graph-cache.ts); default a
   *  folder of this user's in the system's temporary folder */
  graphCacheDir?: string;
}

const BOOT = typeScriptWorkerSource(new URL('./worker.ts', import.meta.url));

/**
 * Each worker's V8 young generation, in MB (V8's default lets it grow to ~48 MB). A card's work
 * is mostly short-lived arrays — the recogniser's probabilities for every line, copied out of
 * onnxruntime, crops, resized images — whose memory goes back to malloc only when a scavenge
 * finds them dead. A small young generation scavenges often: those buffers are freed card by
 * card instead of piling up between the model runs' own allocations, where they kept the heap
 * fragmented, and the semi-spaces themselves stay small. Measured (bench/ocr-memory.ts, pool of
 * 2, 200 images with 40 4096 px photos, glibc mmap threshold 4 MB): peak RSS 616 / 622 / 661 MB
 * with V8's default, 543 / 545 / 553 MB at 4 MB (560–582 in a later series), CPU per card +2–4 %.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/** The rewritten model graphs: from the cache, or rewritten into it in a thread of their own
 *  (see graphs-worker.ts). */
async function graphsFor(cacheDir: string): Promise<ModelGraphs> {
  return cachedGraphFiles(cacheDir, modelSources()) ?? graphsFromWorker(cacheDir);
}

function graphsFromWorker(cacheDir: string): Promise<ModelGraphs> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(typeScriptWorkerSource(new URL('./graphs-worker.ts', import.meta.url)), { eval: true, workerData: { cacheDir } });
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
  /** the worker's place in the shared control words (a replacement takes the same) */
  index: number;
  worker: Worker;
  busy: Pending | null;
  /** failed and being replaced ('error' and then 'exit' both report it) */
  dead?: boolean;
}

/** The pool's recognizer: a Recognizer, plus how many workers it has replaced. */
export interface PoolRecognizer extends Recognizer {
  /** workers that died and were replaced since the start */
  restarts(): number;
  /** workers up and taking cards (fewer while a replacement starts) */
  workers(): number;
}

export async function createRecognizer(opts: RecognizerOptions = {}): Promise<PoolRecognizer> {
  const size = opts.poolSize ?? availableParallelism();
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  if (size <= 0) return inThread(threads, opts.maxSide, opts.graphCacheDir);
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  let restarts = 0;
  const sharing = (opts.peers ?? true) !== false && size > 1;
  // each worker's state (IDLE / OWN card / PEER work or starting), then the queue's length
  const control = createPeerControl(size);
  const state = new Int32Array(control);
  // the workers running (or starting) at each index, for handing a new worker's ports to them
  const byIndex = new Map<number, Worker>();

  const post = (slot: Slot, p: Pending) => {
    slot.busy = p;
    slot.worker.postMessage(p.job, [p.job.image.buffer as ArrayBuffer]);
  };
  const queued = () => Atomics.store(state, size, queue.length);
  const dispatch = () => {
    for (const slot of slots) {
      if (slot.busy || !queue.length) continue;
      // a worker helping a peer with its lines is not free (it stops at its next line)
      if (Atomics.compareExchange(state, slot.index, IDLE, OWN) !== IDLE) continue;
      post(slot, queue.shift()!);
    }
    queued();
  };

  // not kept once the workers have loaded them (15 MB when they are bytes, not files): a worker
  // that dies is replaced from the cache, or a fresh rewrite, rather than 15 MB resident for good
  // (the worker is made outside the closures below, which would otherwise keep `graphs` alive)
  const start = (graphs: ModelGraphs, index: number): Promise<Slot> => {
    // not free until it is ready
    Atomics.store(state, index, PEER);
    let peers: PeerSetup | undefined;
    const transfer: MessagePort[] = [];
    if (sharing) {
      // a channel to each other worker: one end in this worker's data, the other posted to it
      const ports: PeerSetup['ports'] = [];
      for (const [other, worker] of byIndex) {
        if (other === index) continue;
        const { port1, port2 } = new MessageChannel();
        ports.push({ index: other, port: port1 });
        transfer.push(port1);
        worker.postMessage({ type: 'peer-port', index, port: port2 } satisfies PeerPortMessage, [port2]);
      }
      peers = { index, size, control, ports, wideDet: opts.peers !== 'lines', always: opts.peersAlways, exitAfterPeerLines: opts.peerExitAfterLines };
    }
    const worker = new Worker(BOOT, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      workerData: { threads, graphs, peers, maxSide: opts.maxSide } satisfies WorkerData,
      transferList: transfer,
    });
    byIndex.set(index, worker);
    return launch(worker, index);
  };
  const launch = (worker: Worker, index: number): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const slot: Slot = { index, worker, busy: null };
      worker.once('error', reject);
      worker.on('message', (msg: Reply | 'ready' | 'idle') => {
        if (msg === 'ready') {
          worker.off('error', reject);
          worker.on('error', (err) => fail(slot, err));
          Atomics.store(state, index, IDLE);
          resolve(slot);
          return;
        }
        // it finished helping a peer
        if (msg === 'idle') return dispatch();
        const p = slot.busy;
        slot.busy = null;
        if (p && p.job.id === msg.id) {
          if (msg.ok) p.resolve(msg.result);
          else if (msg.error.imageCode) p.reject(new ImageRejected(msg.error.imageCode, msg.error.reason ?? msg.error.message));
          else p.reject(new Error(msg.error.message));
        }
        // straight to the next card if one waits (the worker stays OWN: no peer can take it in
        // between), else free
        if (queue.length) post(slot, queue.shift()!);
        else Atomics.store(state, index, IDLE);
        dispatch();
      });
      worker.on('exit', (code) => {
        if (!closed) fail(slot, new Error(`recognition worker exited (${code})`));
      });
    });

  // a worker that dies takes only its own job with it; a fresh one takes its place
  const fail = (slot: Slot, err: Error) => {
    if (slot.dead) return;
    slot.dead = true;
    restarts++;
    const p = slot.busy;
    slot.busy = null;
    p?.reject(err);
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    if (byIndex.get(slot.index) === slot.worker) byIndex.delete(slot.index);
    // not free while its replacement starts
    Atomics.store(state, slot.index, PEER);
    void slot.worker.terminate();
    if (!closed) {
      startFresh([slot.index]).then((s) => { slots.push(...s); dispatch(); }, () => undefined);
    }
  };

  // the graphs live in this function's own scope only, not in the closures the pool keeps
  async function startFresh(indices: number[]): Promise<Slot[]> {
    const graphs = await graphsFor(opts.graphCacheDir ?? defaultGraphCacheDir());
    return Promise.all(indices.map((index) => start(graphs, index)));
  }
  slots.push(...(await startFresh(Array.from({ length: size }, (_, i) => i))));

  return {
    read(image: Buffer): Promise<RecognitionResult> {
      if (closed) return Promise.reject(new Error('recognizer closed'));
      // a private copy the worker can own (the caller's buffer may be a slice of a pool)
      const copy = new Uint8Array(image.byteLength);
      copy.set(image);
      return new Promise((resolve, reject) => {
        queue.push({ job: { id: nextId++, image: copy }, resolve, reject });
        queued();
        dispatch();
      });
    },
    queueLength: () => queue.length,
    restarts: () => restarts,
    workers: () => slots.length,
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error('recognizer closed'));
      queued();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

async function inThread(threads: number, maxSide: number | undefined, graphCacheDir: string | undefined): Promise<PoolRecognizer> {
  const engine = await createLocalEngine({ threads, maxSide, graphCacheDir });
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
    restarts: () => 0,
    workers: () => 0,
    close: () => engine.close(),
  };
}
