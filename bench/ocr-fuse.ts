// CPU per run of the PP-OCRv4 det and rec models (and the v2 direction classifier), original graph vs fusePaddleOcrGraph's, on one
// thread with the session options of src/recognition/ocr/engine.ts; runs are interleaved A/B so
// both see the same machine load. Also the fusion's own cost at load.
//
//   node --import tsx bench/ocr-fuse.ts [reps=15]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { modelsDir } from '../src/recognition/ocr/engine.ts';
import { fusePaddleOcrGraph } from '../src/recognition/ocr/fuse.ts';

const reps = Number(process.argv[2] ?? 15);
const options: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  enableCpuMemArena: false,
  enableMemPattern: false,
  logSeverityLevel: 3,
};
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(1)} ms  median ${s[s.length >> 1]!.toFixed(1)} ms`;
};

for (const { file, dims } of [
  { file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 416, 640] },
  { file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [1, 3, 48, 320] },
  // the direction classifier (MobileNetV3): hardswish only
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192] },
]) {
  const original = new Uint8Array(readFileSync(join(modelsDir(), file)));
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  const { model: fused, fused: counts } = fusePaddleOcrGraph(original);
  console.log(`${file}: fusion ${(performance.now() - wall0).toFixed(0)} ms wall, ${(cpuMs() - cpu0).toFixed(0)} ms CPU; ${JSON.stringify(counts)}`);

  const sessions = { original: await ort.InferenceSession.create(original, options), fused: await ort.InferenceSession.create(fused, options) };
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) * 0.8;
  const input = new ort.Tensor('float32', data, dims);
  const times: Record<keyof typeof sessions, number[]> = { original: [], fused: [] };
  const outputs: Partial<Record<keyof typeof sessions, Float32Array>> = {};
  for (let r = -1; r < reps; r++) {
    for (const key of ['original', 'fused'] as const) {
      const s = sessions[key];
      const c0 = cpuMs();
      const out = await s.run({ [s.inputNames[0]!]: input });
      const spent = cpuMs() - c0;
      if (r < 0) outputs[key] = out[s.outputNames[0]!]!.data as Float32Array; // warm-up run, not timed
      else times[key].push(spent);
    }
  }
  let maxDiff = 0;
  for (let i = 0; i < outputs.original!.length; i++) maxDiff = Math.max(maxDiff, Math.abs(outputs.original![i]! - outputs.fused![i]!));
  const shape = `${dims[2]}×${dims[3]}`;
  for (const key of ['original', 'fused'] as const) console.log(`  ${shape} ${key.padEnd(8)} CPU per run: ${stats(times[key])}`);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(`  fused/original median ${(median(times.fused) / median(times.original)).toFixed(2)}, max |diff| of outputs ${maxDiff.toExponential(1)}`);
  await sessions.original.release();
  await sessions.fused.release();
}
