// The cache of rewritten model graphs (graph-cache.ts): written once and read back, keyed by
// the source models, never taken from a folder others can write or from a partial file, and
// never in the way — a folder it cannot use means loading from memory, not an error. The
// mechanics run on small stand-in "models" (fuse.ts returns bytes it cannot read unchanged);
// one test checks the real models' cached files are the rewrite itself and load.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedGraphFiles, rewriteGraphs, writeGraphCache, type ModelSources } from '../../src/recognition/ocr/graph-cache.ts';
import { loadModels, modelSources, releaseModels } from '../../src/recognition/ocr/engine.ts';

const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-cache-test-'));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** Three small files standing in for the models. */
function standInSources(content = 'model'): ModelSources {
  const dir = tempDir();
  const files = { det: 'det-src.onnx', rec: 'rec-src.onnx', cls: 'cls-src.onnx' };
  for (const [name, file] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), `${content}:${name}`);
  return { dir, files };
}

describe('graph cache', () => {
  it('writes the three graphs once and finds them after', () => {
    const sources = standInSources();
    const cache = path.join(tempDir(), 'cache');
    assert.equal(cachedGraphFiles(cache, sources), undefined);
    const written = writeGraphCache(cache, sources);
    for (const name of ['det', 'rec', 'cls'] as const) {
      const file = written[name];
      assert.equal(typeof file, 'string');
      assert.equal(fs.readFileSync(file as string, 'utf8'), `model:${name}`);
      // private to this user
      assert.equal(fs.statSync(file as string).mode & 0o077, 0);
    }
    assert.deepEqual(cachedGraphFiles(cache, sources), written);
    // nothing left behind but the three files
    assert.deepEqual(fs.readdirSync(path.dirname(written.det as string)).sort(), ['cls.onnx', 'det.onnx', 'rec.onnx']);
  });

  it('keys the cache by the source models: a changed model is not served the old graph', () => {
    const cache = path.join(tempDir(), 'cache');
    const a = standInSources('first');
    const b = standInSources('second');
    writeGraphCache(cache, a);
    assert.equal(cachedGraphFiles(cache, b), undefined);
    const forB = writeGraphCache(cache, b);
    assert.equal(fs.readFileSync(forB.rec as string, 'utf8'), 'second:rec');
    assert.equal(fs.readFileSync(cachedGraphFiles(cache, a)!.rec, 'utf8'), 'first:rec');
  });

  it('does not take an empty (partly written) graph file', () => {
    const sources = standInSources();
    const cache = path.join(tempDir(), 'cache');
    const written = writeGraphCache(cache, sources);
    fs.writeFileSync(written.cls as string, '');
    assert.equal(cachedGraphFiles(cache, sources), undefined);
    const again = writeGraphCache(cache, sources);
    assert.equal(fs.readFileSync(again.cls as string, 'utf8'), 'model:cls');
  });

  it('does not use a folder others can write to: the graphs come back as bytes', () => {
    const sources = standInSources();
    const cache = path.join(tempDir(), 'open');
    fs.mkdirSync(cache);
    fs.chmodSync(cache, 0o777);
    const graphs = writeGraphCache(cache, sources);
    assert.ok(graphs.det instanceof Uint8Array);
    assert.equal(Buffer.from(graphs.det).toString(), 'model:det');
    assert.deepEqual(fs.readdirSync(cache), []);
    assert.equal(cachedGraphFiles(cache, sources), undefined);
  });

  it('does not use a folder owned by another user', { skip: process.getuid?.() !== 0 && 'needs root to give a folder away' }, () => {
    const sources = standInSources();
    const cache = path.join(tempDir(), 'theirs');
    fs.mkdirSync(cache, { mode: 0o700 });
    fs.chownSync(cache, 65534, 65534);
    assert.ok(writeGraphCache(cache, sources).rec instanceof Uint8Array);
    assert.equal(cachedGraphFiles(cache, sources), undefined);
  });

  it('falls back to bytes when the folder cannot be made (a file is in the way)', () => {
    const sources = standInSources();
    const blocker = path.join(tempDir(), 'file');
    fs.writeFileSync(blocker, 'not a folder');
    const graphs = writeGraphCache(path.join(blocker, 'cache'), sources);
    assert.ok(graphs.cls instanceof Uint8Array);
    assert.equal(cachedGraphFiles(path.join(blocker, 'cache'), sources), undefined);
    assert.equal(cachedGraphFiles(blocker, sources), undefined);
  });

  it('caches the real models as the rewrite makes them, and onnxruntime loads them by path', async () => {
    const cache = path.join(tempDir(), 'cache');
    const files = writeGraphCache(cache, modelSources());
    const bytes = rewriteGraphs(modelSources());
    for (const name of ['det', 'rec', 'cls'] as const) {
      assert.equal(typeof files[name], 'string');
      assert.ok(Buffer.from(bytes[name]).equals(fs.readFileSync(files[name] as string)), `${name}: cached file is the rewritten graph`);
    }
    const models = await loadModels({ graphCacheDir: cache });
    try {
      assert.deepEqual(models.rec.inputNames.length, 1);
      assert.equal(models.det.outputNames.length, 1);
    } finally {
      await releaseModels(models);
    }
  });
});
