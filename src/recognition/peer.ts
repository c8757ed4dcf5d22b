// Peer delegation of line recognition: a pool worker that recognises several line crops while
// another worker is idle shares them with it, so one request uses both cores.
//
// Every worker has a MessagePort to every other worker and sees one SharedArrayBuffer of
// Int32 words (`control`): one state word per worker (IDLE, OWN: reading its own card, PEER:
// working for a peer or starting up) and, after them, the length of the pool's queue. The pool
// takes a worker for a card with compareExchange(IDLE -> OWN); a worker takes an idle peer with
// compareExchange(IDLE -> PEER), so two workers never both count on the other, and the pool does
// not hand a card to a worker while it works for a peer. When no peer is idle the cost is one
// compareExchange per peer per call.
//
// The crops go into one SharedArrayBuffer, longest first, with a shared counter: requester and
// helper each take the next line with Atomics.add until none is left, so both finish together
// (split by the work actually done, not by count), and each line's probabilities come back as
// soon as it is read (the Float32Array's buffer transferred). The helper stops taking lines as
// soon as a card waits in the pool's queue. A helper that dies (its port closes) or falls silent
// leaves its unreturned lines to the requester, which reads them itself: the results are the
// same model runs either way, in order.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { LineProbs } from './ocr/ctc.ts';
import type { LineCrop } from './ocr/recognize.ts';
import { REC_HEIGHT } from './ocr/recognize.ts';

export const IDLE = 0;
export const OWN = 1;
export const PEER = 2;

/** How long a requester waits for a helper that has neither answered nor closed, per line. */
const SILENCE_MS = 3000;

/** The pool's shared control words for `size` workers: a state word each, then the queue length. */
export function createPeerControl(size: number): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * (size + 1));
}

/** What a worker is given to reach its peers (in workerData; the ports transferred). */
export interface PeerSetup {
  index: number;
  size: number;
  control: SharedArrayBuffer;
  ports: { index: number; port: MessagePort }[];
  /** also run text detection on two threads while a peer's core is idle (default true) */
  wideDet?: boolean;
  /** share even while other processes keep the machine's cores busy (default: only when they
   *  leave a core idle, see spareCore) */
  always?: boolean;
  /** fault injection for tests: exit the thread after reading this many lines for a peer */
  exitAfterPeerLines?: number;
}

/** The pool to a running worker: a port to a (new) peer. */
export interface PeerPortMessage {
  type: 'peer-port';
  index: number;
  port: MessagePort;
}

interface ShareRequest {
  type: 'lines';
  id: number;
  /** the crops' pixels, one after the other, in `order` */
  pixels: SharedArrayBuffer;
  /** [0]: the next position in `order` to take */
  counter: SharedArrayBuffer;
  /** line index at each position, longest first */
  order: number[];
  widths: number[];
  /** byte offset of each line's pixels in `pixels` */
  offsets: number[];
}

type ShareReply =
  | { type: 'line'; id: number; line: number; probs: Float32Array; steps: number; classes: number }
  | { type: 'end'; id: number };

export type LineRunner = (crops: LineCrop[]) => Promise<LineProbs[] | null>;

/**
 * Whether other processes leave this machine a core to spare: a peer worker being idle means
 * little when its core is busy with another process (measured on our shared 2-core machine at
 * load 6-7: sharing then made one request 5-8 % slower, not faster). From /proc/stat over the
 * last half second or more, minus this process's own CPU time: true while the rest of the
 * machine used less than half a core. Without /proc/stat (not Linux): true.
 */
let spareSample = { at: 0, busy: 0, total: 0, own: 0 };
let spare = true;
const CORES = availableParallelism();
export function spareCore(): boolean {
  const now = performance.now();
  if (now - spareSample.at < 500) return spare;
  let fields: number[];
  try {
    fields = readFileSync('/proc/stat', 'latin1').slice(0, 200).split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  } catch {
    return (spare = true);
  }
  // user nice system idle iowait irq softirq steal, in clock ticks (USER_HZ, 100 a second)
  const total = fields.reduce((a, b) => a + b, 0);
  const busy = total - fields[3]! - fields[4]!;
  const usage = process.cpuUsage();
  const own = (usage.user + usage.system) / 10_000;
  if (spareSample.at > 0 && total > spareSample.total) {
    const others = busy - spareSample.busy - (own - spareSample.own);
    // in cores: ticks of the others over ticks of one core in the interval
    spare = others / ((total - spareSample.total) / CORES) < 0.5;
  }
  spareSample = { at: now, busy, total, own };
  return spare;
}

/** A worker marked as working for a peer back to idle, if it still is; the pool may have a card
 *  for it now. */
function releasePeer(state: Int32Array, index: number): void {
  if (Atomics.compareExchange(state, index, PEER, IDLE) === PEER) parentPort?.postMessage('idle');
}

/** Counts of what this thread shared (for tests and measurements). */
export interface PeerStats {
  /** calls whose lines were shared with a peer */
  shared: number;
  /** lines a peer read for this thread */
  linesFromPeers: number;
  /** lines this thread read for a peer */
  linesForPeers: number;
  /** calls that read lines a peer had taken but not returned (it died or fell silent) */
  fallbacks: number;
  /** model runs that borrowed an idle peer's core (claim) */
  coresBorrowed: number;
}

/**
 * The worker side: serves peers' requests on every port, and returns the runner that
 * recognizeLines uses to share a card's lines (null when no peer is idle).
 * `recognizeOne` reads one crop in this thread.
 */
export function startPeers(
  setup: PeerSetup,
  recognizeOne: (crop: LineCrop) => Promise<LineProbs>,
): { run: LineRunner; claim: () => (() => void) | null; stats: PeerStats } {
  const stats: PeerStats = { shared: 0, linesFromPeers: 0, linesForPeers: 0, fallbacks: 0, coresBorrowed: 0 };
  const state = new Int32Array(setup.control);
  const me = setup.index;
  const queued = setup.size;
  const ports = new Map<number, MessagePort>();
  let nextId = 1;
  // requests this thread is waiting on, by id
  const waiting = new Map<number, { peer: number; onLine: (r: Extract<ShareReply, { type: 'line' }>) => void; onEnd: () => void }>();
  let peerLinesRead = 0;

  const attach = (index: number, port: MessagePort) => {
    ports.get(index)?.close();
    ports.set(index, port);
    port.on('message', (msg: ShareRequest | ShareReply) => {
      if (msg.type === 'lines') void serve(port, msg);
      else {
        const w = waiting.get(msg.id);
        if (!w) return;
        if (msg.type === 'line') w.onLine(msg);
        else w.onEnd();
      }
    });
    port.on('close', () => {
      if (ports.get(index) === port) ports.delete(index);
      for (const w of waiting.values()) if (w.peer === index) w.onEnd();
    });
  };
  for (const { index, port } of setup.ports) attach(index, port);
  parentPort?.on('message', (msg: unknown) => {
    if (msg && typeof msg === 'object' && (msg as PeerPortMessage).type === 'peer-port') {
      const m = msg as PeerPortMessage;
      attach(m.index, m.port);
    }
  });

  // helping a peer: take lines until none is left or a card waits for this worker
  async function serve(port: MessagePort, req: ShareRequest): Promise<void> {
    try {
      // only a worker a requester claimed works for it (never one reading its own card)
      if (Atomics.load(state, me) !== PEER) return;
      const counter = new Int32Array(req.counter);
      while (Atomics.load(state, queued) === 0) {
        const k = Atomics.add(counter, 0, 1);
        if (k >= req.order.length) break;
        const line = req.order[k]!;
        const width = req.widths[line]!;
        const pixels = new Uint8Array(req.pixels, req.offsets[line]!, width * REC_HEIGHT * 3);
        const r = await recognizeOne({ pixels, width });
        const probs = r.probs.slice();
        port.postMessage({ type: 'line', id: req.id, line, probs, steps: r.steps, classes: r.classes } satisfies ShareReply, [probs.buffer]);
        stats.linesForPeers++;
        if (setup.exitAfterPeerLines !== undefined && ++peerLinesRead >= setup.exitAfterPeerLines) process.exit(7);
      }
    } finally {
      port.postMessage({ type: 'end', id: req.id } satisfies ShareReply);
      // (a requester that gave up on this thread may have freed the mark already)
      releasePeer(state, me);
    }
  }

  // whether to look for an idle peer at all: not while a card waits in the pool's queue (the
  // peer that just finished is the pool's, not ours), nor while other processes use the cores
  const free = () => ports.size > 0 && Atomics.load(state, queued) === 0 && (setup.always === true || spareCore());
  // an idle peer marked as working for this thread (so neither the pool nor another worker gives
  // it work meanwhile), or -1
  const claimIdlePeer = (): number => {
    for (const index of ports.keys()) if (Atomics.compareExchange(state, index, IDLE, PEER) === IDLE) return index;
    return -1;
  };

  const run: LineRunner = async (crops) => {
    if (crops.length < 2 || !free()) return null;
    const peer = claimIdlePeer();
    if (peer < 0) return null;
    const port = ports.get(peer)!;
    const n = crops.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => crops[b]!.width - crops[a]!.width);
    const widths = crops.map((c) => c.width);
    const offsets: number[] = [];
    let bytes = 0;
    for (const c of crops) {
      offsets.push(bytes);
      bytes += c.width * REC_HEIGHT * 3;
    }
    const pixels = new SharedArrayBuffer(bytes);
    const view = new Uint8Array(pixels);
    crops.forEach((c, i) => view.set(c.pixels.subarray(0, c.width * REC_HEIGHT * 3), offsets[i]));
    const counterBuf = new SharedArrayBuffer(4);
    const counter = new Int32Array(counterBuf);
    const results: (LineProbs | undefined)[] = new Array(n);
    const id = nextId++;

    let ended = false;
    let wake: (() => void) | null = null;
    const poke = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    waiting.set(id, {
      peer,
      onLine: (r) => {
        results[r.line] = { probs: r.probs, steps: r.steps, classes: r.classes };
        stats.linesFromPeers++;
        poke();
      },
      onEnd: () => {
        ended = true;
        poke();
      },
    });
    try {
      port.postMessage({ type: 'lines', id, pixels, counter: counterBuf, order, widths, offsets } satisfies ShareRequest);
      for (;;) {
        const k = Atomics.add(counter, 0, 1);
        if (k >= n) break;
        const line = order[k]!;
        results[line] = await recognizeOne(crops[line]!);
      }
      // what the helper took and has not returned yet: wait for it, unless the helper is done,
      // gone or silent, then read the rest here
      while (!ended && results.some((r) => r === undefined)) {
        const heard = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), SILENCE_MS);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        if (!heard) {
          // silent: if it is still marked as working for us, free the mark for the pool
          releasePeer(state, peer);
          break;
        }
      }
      stats.shared++;
      if (results.some((r) => r === undefined)) stats.fallbacks++;
      for (let i = 0; i < n; i++) results[i] ??= await recognizeOne(crops[i]!);
      return results as LineProbs[];
    } finally {
      waiting.delete(id);
    }
  };
  /**
   * Borrow an idle peer's core for one two-thread model run: marks the peer as working (so
   * neither the pool nor another worker gives it work meanwhile); the function returned frees it.
   */
  const claim = (): (() => void) | null => {
    if (!free()) return null;
    const index = claimIdlePeer();
    if (index < 0) return null;
    stats.coresBorrowed++;
    return () => releasePeer(state, index);
  };
  return { run, claim, stats };
}
