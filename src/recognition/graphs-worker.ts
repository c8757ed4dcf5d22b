// A short-lived worker thread: reads and rewrites the model graphs (ocr/engine.ts
// readModelGraphs), hands the bytes to the pool and exits — so the copies the rewrite makes on
// the way die with this thread instead of staying resident in every recognition worker.
import { parentPort } from 'node:worker_threads';
import { readModelGraphs } from './ocr/engine.ts';

const port = parentPort;
if (!port) throw new Error('graphs-worker.ts runs as a worker thread');
const graphs = readModelGraphs();
// each rewrite result owns its buffer: transfer, do not copy
port.postMessage(graphs, [graphs.det.buffer, graphs.rec.buffer, graphs.cls.buffer] as ArrayBuffer[]);
