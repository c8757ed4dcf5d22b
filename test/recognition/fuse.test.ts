// The graph clean-up of fuse.ts on the real PP-OCR models: same outputs as the original graph,
// fewer nodes, and no change at all for graphs without the patterns or bytes it cannot read.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { loadModels, modelsDir, releaseModels, type OcrModels } from '../../src/recognition/ocr/engine.ts';
import { detectText } from '../../src/recognition/ocr/detect.ts';
import { cropLine, recognizeLines } from '../../src/recognition/ocr/recognize.ts';
import { greedyDecode } from '../../src/recognition/ocr/ctc.ts';
import { decodeImage } from '../../src/recognition/image.ts';
import { fusePaddleOcrGraph } from '../../src/recognition/ocr/fuse.ts';
import { OnnxGraphView, concatBytes, encodeVarint, lengthDelimited } from '../../src/recognition/ocr/onnx-bytes.ts';

const options: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
};

function modelBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(modelsDir(), file)));
}

/** Deterministic input in the models' normalised range [-1, 1]: mulberry32 noise plus a smooth
 *  pattern, so both flat and textured regions are exercised. */
function seededInput(n: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.6 * Math.sin(i * 0.013) + 0.4 * (next() * 2 - 1);
  return out;
}

async function runBoth(original: Uint8Array, fused: Uint8Array, dims: number[], seed: number): Promise<{ maxDiff: number; maxAbs: number; length: number }> {
  const [a, b] = await Promise.all([ort.InferenceSession.create(original, options), ort.InferenceSession.create(fused, options)]);
  try {
    const input = new ort.Tensor('float32', seededInput(dims.reduce((x, y) => x * y, 1), seed), dims);
    const outA = (await a.run({ [a.inputNames[0]!]: input }))[a.outputNames[0]!]!;
    const outB = (await b.run({ [b.inputNames[0]!]: input }))[b.outputNames[0]!]!;
    assert.deepEqual(outB.dims, outA.dims);
    const da = outA.data as Float32Array;
    const db = outB.data as Float32Array;
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < da.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(da[i]! - db[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(da[i]!));
    }
    return { maxDiff, maxAbs, length: da.length };
  } finally {
    await Promise.all([a.release(), b.release()]);
  }
}

/** Operator nodes: the constants pattern 4 adds (a BatchNormalization's parameters) are data. */
const nodeCount = (bytes: Uint8Array): number => new OnnxGraphView(bytes.slice()).nodes.filter((n) => n.opType !== 'Constant').length;

describe('fusePaddleOcrGraph on the PP-OCRv4 models', () => {
  const cases = [
    { file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 320], convAffine: true, dbHead: false },
    // the DB detector: its head upsamples twice with ConvTranspose, its neck has residual SE
    { file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 320, 416], convAffine: true, dbHead: true },
    // MobileNetV3 classifier: hardswish only
    { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192], convAffine: false, dbHead: false },
  ];
  for (const c of cases) {
    describe(c.file, () => {
      let original: Uint8Array;
      let result: ReturnType<typeof fusePaddleOcrGraph>;
      before(() => {
        original = modelBytes(c.file);
        result = fusePaddleOcrGraph(original);
      });

      it('finds the patterns and leaves fewer nodes', () => {
        assert.ok(result.fused.hardswish > 0, JSON.stringify(result.fused));
        if (c.convAffine) {
          assert.ok(result.fused.convAffine > 0, JSON.stringify(result.fused));
          assert.ok(result.fused.affineConv > 0, JSON.stringify(result.fused));
          assert.ok(result.fused.scalarAdd > 0, JSON.stringify(result.fused));
        }
        if (c.dbHead) {
          // both upsamplings in one rewrite, and no ConvTranspose left
          assert.equal(result.fused.pixelShuffle, 1, JSON.stringify(result.fused));
          assert.ok(result.fused.residualScale > 0, JSON.stringify(result.fused));
          assert.equal(new OnnxGraphView(result.model.slice()).nodes.filter((n) => n.opType === 'ConvTranspose').length, 0);
        }
        assert.notEqual(result.model, original);
        const before = nodeCount(original);
        const after = nodeCount(result.model);
        // each hardswish and Conv→affine loses 2 nodes, each affine→Conv 2 (1 when the Conv pads);
        // a scalar Add becomes one BatchNormalization; x + x·s one Add on s and one Mul (same
        // count); the two ConvTranspose → bias Add → BN → activation chains of the DB head become
        // 1x1 Conv → activation twice and one DepthToSpace (7 nodes → 5)
        const { hardswish, convAffine, affineConv, pixelShuffle } = result.fused;
        assert.ok(after < before, `${before} -> ${after}`);
        assert.ok(after <= before - 2 * hardswish - 2 * convAffine - affineConv - 2 * pixelShuffle, `${before} -> ${after}`);
      });

      it('does not modify its input and leaves nothing to fuse a second time', () => {
        assert.deepEqual(original, modelBytes(c.file));
        const again = fusePaddleOcrGraph(result.model);
        assert.deepEqual(again.fused, { hardswish: 0, convAffine: 0, affineConv: 0, scalarAdd: 0, pixelShuffle: 0, residualScale: 0 });
        assert.equal(again.model, result.model);
      });

      it('leaves no Add of a scalar in front of a Conv (ORT would leave the blocked layout for it)', () => {
        const view = new OnnxGraphView(result.model.slice());
        const scalarAddsBeforeConv = view.nodes.filter((n) => n.opType === 'Add' && n.input.some((i) => view.floatTensor(i)?.length === 1)
          && (view.consumers.get(n.output[0]!) ?? []).some((c) => c.opType === 'Conv'));
        assert.equal(scalarAddsBeforeConv.length, 0);
        const bn = view.nodes.filter((n) => n.opType === 'BatchNormalization' && n.name.endsWith('_bn'));
        assert.equal(bn.length, result.fused.scalarAdd);
        for (const n of bn) {
          // scale 1, mean 0, var 1: the channel count matches the Conv it feeds
          const conv = view.consumers.get(n.output[0]!)![0]!;
          const c = view.floatTensor(n.input[1])!.length;
          assert.ok(c > 1, n.name);
          assert.deepEqual([...view.floatTensor(n.input[1])!], new Array(c).fill(1));
          assert.deepEqual([...view.floatTensor(n.input[3])!], new Array(c).fill(0));
          assert.deepEqual([...view.floatTensor(n.input[4])!], new Array(c).fill(1));
          assert.equal(view.floatTensor(n.input[2])!.length, c);
          assert.equal(conv.opType, 'Conv');
        }
      });

      it('gives the same outputs as the original graph (within 1e-4)', async () => {
        for (const seed of [1, 2]) {
          const { maxDiff, maxAbs, length } = await runBoth(original, result.model, c.dims, seed);
          assert.ok(length > 0);
          assert.ok(maxAbs > 1e-3, 'outputs are not all zero'); // a diff of 0 between zeros proves nothing
          assert.ok(maxDiff < 1e-4, `seed ${seed}: max |diff| ${maxDiff}`);
        }
      });
    });
  }
});

describe('fusePaddleOcrGraph on a real card', () => {
  it('finds the same text boxes and reads the same lines with the fused det and rec', async () => {
    const original = await loadModels();
    const fusedSession = (file: string): Promise<ort.InferenceSession> => ort.InferenceSession.create(fusePaddleOcrGraph(modelBytes(file)).model, options);
    const fused: OcrModels = { ...original, det: await fusedSession('ch_PP-OCRv4_det_infer.onnx'), rec: await fusedSession('ch_PP-OCRv4_rec_infer.onnx') };
    try {
      const img = await decodeImage(readFileSync(new URL('../fixtures/cards/front-clean-1.jpg', import.meta.url)));
      const boxesA = await detectText(original, img, { maxSide: 640 });
      const boxesB = await detectText(fused, img, { maxSide: 640 });
      assert.ok(boxesA.length >= 5, `${boxesA.length} boxes`);
      assert.equal(boxesB.length, boxesA.length);
      boxesA.forEach((a, i) => {
        const b = boxesB[i]!;
        assert.ok(Math.abs(a.cx - b.cx) < 0.5 && Math.abs(a.cy - b.cy) < 0.5 && Math.abs(a.w - b.w) < 0.5 && Math.abs(a.h - b.h) < 0.5, `box ${i}`);
      });
      const lines = boxesA.slice(0, 6).map((r) => cropLine(img, r));
      const probsA = await recognizeLines(original, lines);
      const probsB = await recognizeLines(fused, lines);
      let read = '';
      probsA.forEach((a, i) => {
        const b = probsB[i]!;
        assert.equal(b.steps, a.steps);
        let maxDiff = 0;
        for (let k = 0; k < a.probs.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a.probs[k]! - b.probs[k]!));
        assert.ok(maxDiff < 1e-4, `line ${i}: max |diff| ${maxDiff}`);
        const textA = greedyDecode(a, original.charset).text;
        assert.equal(greedyDecode(b, original.charset).text, textA);
        read += textA;
      });
      assert.ok(read.length >= 6, `read ${JSON.stringify(read.length)} characters`);
    } finally {
      await Promise.all([fused.det.release(), fused.rec.release()]);
      await releaseModels(original);
    }
  });
});

// ---- a tiny hand-written model: input x[1,4] -> Relu -> y ------------------------------------

function tinyReluModel(): Uint8Array {
  const str = (field: number, s: string): Uint8Array => lengthDelimited(field, new TextEncoder().encode(s));
  const varintField = (field: number, v: number): Uint8Array => Uint8Array.from([...encodeVarint(field << 3), ...encodeVarint(v)]);
  const valueInfo = (field: number, name: string): Uint8Array => {
    const dim = (n: number): Uint8Array => lengthDelimited(1, varintField(1, n));
    const shape = lengthDelimited(2, concatBytes([dim(1), dim(4)]));
    const tensorType = lengthDelimited(1, concatBytes([varintField(1, 1), shape]));
    return lengthDelimited(field, concatBytes([str(1, name), lengthDelimited(2, tensorType)]));
  };
  const node = lengthDelimited(1, concatBytes([str(1, 'x'), str(2, 'y'), str(3, 'relu'), str(4, 'Relu')]));
  const graph = concatBytes([node, str(2, 'tiny'), valueInfo(11, 'x'), valueInfo(12, 'y')]);
  const opset = lengthDelimited(8, concatBytes([str(1, ''), varintField(2, 13)]));
  return concatBytes([varintField(1, 8), opset, lengthDelimited(7, graph)]);
}

describe('fusePaddleOcrGraph on other input', () => {
  it('returns a valid model without the patterns unchanged', async () => {
    const model = tinyReluModel();
    // the hand-written model really is a model onnxruntime runs
    const session = await ort.InferenceSession.create(model, options);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(-1, 2, -3, 4), [1, 4]) });
    assert.deepEqual([...(out.y!.data as Float32Array)], [0, 2, 0, 4]);
    await session.release();
    const result = fusePaddleOcrGraph(model);
    assert.equal(result.model, model);
    assert.deepEqual(result.fused, { hardswish: 0, convAffine: 0, affineConv: 0, scalarAdd: 0, pixelShuffle: 0, residualScale: 0 });
  });

  it('falls back to the input for bytes that are not a model', () => {
    const inputs = [
      new Uint8Array(0),
      Uint8Array.from([0xff, 0xff, 0xff]),
      Uint8Array.from(seededInput(4096, 7), (v) => Math.floor((v + 1) * 127)),
      new Uint8Array(new Float32Array(seededInput(256, 9)).buffer),
      modelBytes('ch_PP-OCRv4_rec_infer.onnx').subarray(0, 100_000), // truncated
    ];
    for (const bytes of inputs) {
      const result = fusePaddleOcrGraph(bytes);
      assert.equal(result.model, bytes);
      assert.deepEqual(result.fused, { hardswish: 0, convAffine: 0, affineConv: 0, scalarAdd: 0, pixelShuffle: 0, residualScale: 0 });
    }
  });
});
