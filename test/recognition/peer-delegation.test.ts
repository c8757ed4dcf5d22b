// Peer delegation of line recognition (src/recognition/peer.ts): a worker shares a card's line
// crops with an idle worker. Real worker threads, real models: the shared lines must come back
// bit-for-bit the same as read in one thread, in order; the pool must read the committed cards
// the same with sharing on and off; a helper that dies in the middle must not hang the read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { createRecognizer, type PoolRecognizer } from '../../src/recognition/pool.ts';
import type { RecognitionResult } from '../../src/recognition/types.ts';
import { decodeImage } from '../../src/recognition/image.ts';
import { lendCore, loadModels, modelGraphs, releaseModels, runFilled, type OcrModels } from '../../src/recognition/ocr/engine.ts';
import { detectText } from '../../src/recognition/ocr/detect.ts';
import { cropLine, recognizeLine, recognizeLines, type LineCrop } from '../../src/recognition/ocr/recognize.ts';
import { createPeerControl, IDLE, OWN, PEER, startPeers } from '../../src/recognition/peer.ts';
import type { WorkerData } from '../../src/recognition/worker.ts';
import { typeScriptWorkerSource } from '../../src/worker-boot.ts';

const DIR = fileURLToPath(new URL('../fixtures/cards/', import.meta.url));
const FILES = ['front-clean-1.jpg', 'front-exif-6.jpg', 'front-perspective.jpg', 'back-clean.jpg', 'front-large.jpg'];

/** what a read says, without its timings */
const answer = (r: RecognitionResult) => ({ ...r, timings: undefined });

describe('line recognition shared with a peer worker', () => {
  let models: OcrModels;
  let crops: LineCrop[];
  let helper: Worker;
  let state: Int32Array;
  let peers: ReturnType<typeof startPeers>;
  before(async () => {
    const graphs = modelGraphs();
    models = await loadModels({ graphs, wideDet: true });
    const img = await decodeImage(readFileSync(DIR + 'front-clean-1.jpg'));
    const boxes = await detectText(models, { data: img.data, width: img.width, height: img.height });
    crops = boxes.map((b) => cropLine({ data: img.data, width: img.width, height: img.height }, b));
    // this thread is worker 0 (reading its own card), the helper a real pool worker, index 1
    const control = createPeerControl(2);
    state = new Int32Array(control);
    Atomics.store(state, 0, OWN);
    Atomics.store(state, 1, PEER);
    const { port1, port2 } = new MessageChannel();
    helper = new Worker(typeScriptWorkerSource(new URL('../../src/recognition/worker.ts', import.meta.url)), {
      eval: true,
      workerData: { threads: 1, graphs, peers: { index: 1, size: 2, control, ports: [{ index: 0, port: port2 }] } } satisfies WorkerData,
      transferList: [port2],
    });
    await new Promise<void>((resolve, reject) => {
      helper.on('message', (m) => m === 'ready' && resolve());
      helper.once('error', reject);
    });
    Atomics.store(state, 1, IDLE);
    // `always`: this test shares whatever else runs on the machine
    peers = startPeers({ index: 0, size: 2, control, always: true, ports: [{ index: 1, port: port1 }] }, (crop) => recognizeLine(models, crop));
  });
  after(async () => {
    await helper?.terminate();
    if (models) await releaseModels(models);
  });

  it('returns the same probabilities, bit for bit and in order, as reading every line here', async () => {
    assert.ok(crops.length >= 6, `a front has at least 6 lines (found ${crops.length})`);
    const local = await recognizeLines(models, crops);
    // the local results are views of the runs' outputs: copy before the next runs
    const expected = local.map((p) => ({ ...p, probs: p.probs.slice() }));
    const before = { ...peers.stats };
    const shared = await recognizeLines({ ...models, lines: peers.run }, crops);
    assert.equal(peers.stats.shared, before.shared + 1, 'the lines were shared');
    const fromPeer = peers.stats.linesFromPeers - before.linesFromPeers;
    assert.ok(fromPeer >= 1 && fromPeer < crops.length, `the helper read some of the lines, not all (${fromPeer} of ${crops.length})`);
    assert.equal(shared.length, expected.length);
    for (const [i, p] of shared.entries()) {
      const e = expected[i]!;
      assert.equal(p.steps, e.steps, `line ${i} steps`);
      assert.equal(p.classes, e.classes, `line ${i} classes`);
      assert.equal(p.probs.length, e.probs.length, `line ${i} length`);
      assert.ok(Buffer.from(p.probs.buffer, p.probs.byteOffset, p.probs.byteLength).equals(Buffer.from(e.probs.buffer, e.probs.byteOffset, e.probs.byteLength)), `line ${i} probabilities differ`);
    }
    // the helper frees itself for the pool once it finds no line left (a moment after its last)
    for (let i = 0; i < 100 && Atomics.load(state, 1) !== IDLE; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(Atomics.load(state, 1), IDLE);
  });

  it('detects the same text, bit for bit, on two cores as on one', async () => {
    assert.ok(models.detWide, 'a two-thread detection session');
    const img = await decodeImage(readFileSync(DIR + 'front-perspective.jpg'));
    const rgb = { data: img.data, width: img.width, height: img.height };
    // a real model input: the photo's pixels, as many as fit, scaled to [-1, 1]
    const dims = [1, 3, 960, 704];
    const fill = (input: Float32Array) => {
      for (let i = 0; i < input.length; i++) input[i] = img.data[i % img.data.length]! / 127.5 - 1;
    };
    const narrowOut = (await runFilled(models.det, dims, fill)).data.slice();
    const narrowBoxes = await detectText(models, rgb);
    let lent = 0;
    lendCore(models.det, models.detWide, () => {
      lent++;
      return () => undefined;
    });
    const wideOut = (await runFilled(models.det, dims, fill)).data.slice();
    const wideBoxes = await detectText(models, rgb);
    assert.ok(lent >= 2, 'the runs went to the two-thread session');
    assert.ok(Buffer.from(wideOut.buffer).equals(Buffer.from(narrowOut.buffer)), 'detection output differs with two threads');
    assert.deepEqual(wideBoxes, narrowBoxes);
  });

  it('lends its core only while idle, and gets it back', () => {
    const before = peers.stats.coresBorrowed;
    const release = peers.claim();
    assert.ok(release, 'the idle helper lends its core');
    assert.equal(Atomics.load(state, 1), PEER, 'marked as working while lent');
    assert.equal(peers.claim(), null, 'not lent twice');
    release();
    assert.equal(Atomics.load(state, 1), IDLE);
    assert.equal(peers.stats.coresBorrowed, before + 1);
  });

  it('shares nothing while the peer is busy with its own card', async () => {
    Atomics.store(state, 1, OWN);
    try {
      const before = peers.stats.shared;
      assert.equal(await peers.run(crops), null);
      assert.equal(peers.claim(), null);
      assert.equal(peers.stats.shared, before);
    } finally {
      Atomics.store(state, 1, IDLE);
    }
  });
});

describe('the pool with sharing on and off', () => {
  let on: PoolRecognizer;
  let off: PoolRecognizer;
  before(async () => {
    [on, off] = await Promise.all([createRecognizer({ poolSize: 2, peersAlways: true }), createRecognizer({ poolSize: 2, peers: false })]);
  });
  after(async () => {
    await Promise.all([on?.close(), off?.close()]);
  });

  it('reads the committed fixtures identically, one at a time and several at once', async () => {
    const bytes = FILES.map((f) => readFileSync(DIR + f));
    for (const [i, b] of bytes.entries()) {
      const a = await off.read(b);
      const s = await on.read(b);
      assert.deepEqual(answer(s), answer(a), FILES[i]);
    }
    // both workers busy: no sharing, same reads
    const [many, manyOff] = await Promise.all([Promise.all(bytes.map((b) => on.read(b))), Promise.all(bytes.map((b) => off.read(b)))]);
    for (const [i, r] of many.entries()) assert.deepEqual(answer(r), answer(manyOff[i]!), `${FILES[i]}, several at once`);
  });
});

describe('a helper that dies while reading lines for a peer', () => {
  let dying: PoolRecognizer;
  let off: PoolRecognizer;
  before(async () => {
    // each worker's thread exits after reading one line for a peer
    [dying, off] = await Promise.all([createRecognizer({ poolSize: 2, peersAlways: true, peerExitAfterLines: 1 }), createRecognizer({ poolSize: 2, peers: false })]);
  });
  after(async () => {
    await Promise.all([dying?.close(), off?.close()]);
  });

  it('does not hang the read, which comes back the same; the pool replaces the helper', async () => {
    for (const file of ['front-clean-1.jpg', 'front-exif-6.jpg']) {
      const b = readFileSync(DIR + file);
      const expected = await off.read(b);
      const before = dying.restarts();
      const got = await dying.read(b);
      assert.deepEqual(answer(got), answer(expected), file);
      assert.equal(dying.restarts(), before + 1, `${file}: the helper died and was replaced`);
      // the replacement starts (a fresh graph rewrite and model load) before the next card
      for (let i = 0; i < 300 && dying.workers() < 2; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(dying.workers(), 2, 'the replacement is up');
    }
  });
});
