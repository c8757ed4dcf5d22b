// The rewritten model graphs (fuse.ts) as files, written once per cache folder and loaded by
// path. onnxruntime reads a model file itself, so no thread holds a JS copy of the bytes on the
// way in: a pool of 2 started at 280 MB of RSS from files against 335–338 MB from the same
// graphs passed as bytes, and 314–316 MB when the rewrite also ran in the process
// (bench/ocr-memory.ts notes in docs/BENCHMARKS.md). It also spares every start (and every test
// that loads the models) the ~1 s of CPU the rewrite takes.
//
// The cache is keyed by the content of the source models and of the rewrite's own code, so a
// new model package or a change to fuse.ts never meets a stale file. Files are written under a
// temporary name and renamed, so two processes filling the same folder at once each see either
// nothing or a whole file. The folder must be this user's own and closed to others (a model
// file is code onnxruntime runs): otherwise it is not used.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fusePaddleOcrGraph } from './fuse.ts';

export type GraphName = 'det' | 'rec' | 'cls';
export const GRAPH_NAMES: readonly GraphName[] = ['det', 'rec', 'cls'];

/** The rewritten graphs, each a file path or the bytes themselves. */
export type ModelGraphs = Record<GraphName, string | Uint8Array>;

/** Where the bundled models are, and which file is which. */
export interface ModelSources {
  dir: string;
  files: Record<GraphName, string>;
}

/** The default cache folder: one per user, in the system's temporary folder. */
export function defaultGraphCacheDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `shiming-model-graphs-${user}`);
}

/** The rewrite's own code: a change to either file changes every key. */
const REWRITE_SOURCES = ['./fuse.ts', './onnx-bytes.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));

/** The folder for these sources' rewritten graphs, inside `cacheDir`. */
function keyedDir(cacheDir: string, sources: ModelSources): string {
  const hash = createHash('sha256');
  for (const name of GRAPH_NAMES) hash.update(fs.readFileSync(path.join(sources.dir, sources.files[name])));
  for (const file of REWRITE_SOURCES) hash.update(fs.readFileSync(file));
  return path.join(cacheDir, hash.digest('hex').slice(0, 32));
}

/**
 * Create `dir` (and its parents) private to this user, or check that it already is: owned by
 * this user and not writable by anyone else. False when it is not, or cannot be made.
 */
function privateDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
    return (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function graphFiles(dir: string): Record<GraphName, string> {
  return { det: path.join(dir, 'det.onnx'), rec: path.join(dir, 'rec.onnx'), cls: path.join(dir, 'cls.onnx') };
}

/** The cached graphs' paths, when all three are there; undefined otherwise. */
export function cachedGraphFiles(cacheDir: string, sources: ModelSources): Record<GraphName, string> | undefined {
  if (!privateDir(cacheDir)) return undefined;
  const dir = keyedDir(cacheDir, sources);
  const files = graphFiles(dir);
  return GRAPH_NAMES.every((name) => isNonEmptyFile(files[name])) ? files : undefined;
}

function isNonEmptyFile(file: string): boolean {
  try {
    const st = fs.lstatSync(file);
    return st.isFile() && st.size > 0;
  } catch {
    return false;
  }
}

/** Rewrite the source models (fuse.ts) into memory. */
export function rewriteGraphs(sources: ModelSources): Record<GraphName, Uint8Array> {
  const fused = (name: GraphName) => fusePaddleOcrGraph(new Uint8Array(fs.readFileSync(path.join(sources.dir, sources.files[name])))).model;
  return { det: fused('det'), rec: fused('rec'), cls: fused('cls') };
}

/**
 * Rewrite the source models into the cache and return the files' paths; when the cache folder
 * cannot be used, the rewritten bytes themselves (the caller loads those instead).
 */
export function writeGraphCache(cacheDir: string, sources: ModelSources): ModelGraphs {
  const graphs = rewriteGraphs(sources);
  if (!privateDir(cacheDir)) return graphs;
  const dir = keyedDir(cacheDir, sources);
  const files = graphFiles(dir);
  let partial: string | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of GRAPH_NAMES) {
      partial = `${files[name]}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
      fs.writeFileSync(partial, graphs[name], { mode: 0o600 });
      fs.renameSync(partial, files[name]);
      partial = undefined;
    }
    return files;
  } catch {
    // a full disk or a folder gone read-only: this start loads from memory
    if (partial) fs.rmSync(partial, { force: true });
    return graphs;
  }
}
