// A short-lived worker thread: rewrites the model graphs into the cache (ocr/graph-cache.ts) and
// hands the pool their paths — or, when the cache folder cannot be used, the bytes — then exits,
// so the copies the rewrite makes on the way die with this thread instead of staying resident.
import { parentPort, workerData } from 'node:worker_threads';
import { writeGraphCache } from './ocr/graph-cache.ts';
import { modelSources } from './ocr/engine.ts';

const port = parentPort;
if (!port) throw new Error('graphs-worker.ts runs as a worker thread');
const graphs = writeGraphCache((workerData as { cacheDir: string }).cacheDir, modelSources());
// bytes (the cache could not be written) each own their buffer: transfer, do not copy
port.postMessage(graphs, Object.values(graphs).flatMap((g) => (typeof g === 'string' ? [] : [g.buffer as ArrayBuffer])));
