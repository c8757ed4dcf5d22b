// `node --import tsx bench/card-edges.ts [-- --set bench/out/ocr-cards-v2-s1-f500 --recognize --limit N --only <distortion> --worst N]`
// How far the card's corners are from the truth, before (the pipeline's text-extent estimate) and
// after refineCardQuad (src/recognition/card-edges.ts). The estimates are the `quad`s that
// `npm run bench:ocr` saved in the set's results.jsonl; `--recognize` computes them afresh with the
// recognizer in this thread (slow). Error of a card = its worst corner's distance from the truth,
// as a percentage of the card's width.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeImage, createRecognizer, type Quad } from '../src/recognition/index.ts';
import { refineCardQuad } from '../src/recognition/card-edges.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'bench/out/ocr-cards-v2-s1-f500' },
    recognize: { type: 'boolean', default: false },
    limit: { type: 'string' },
    worst: { type: 'string', default: '0' },
    only: { type: 'string' },
  },
});
const dir = path.resolve(root, values.set!);
interface Truth { file: string; side: string; quad?: Quad; cardWidthPx?: number; distortions: string[] }
const truths = fs.readFileSync(path.join(dir, 'truth.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Truth);
const saved = new Map<string, Quad>();
const resultsFile = path.join(dir, 'results.jsonl');
if (!values.recognize && fs.existsSync(resultsFile)) {
  for (const l of fs.readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(l) as { file: string; read?: { quad?: Quad; quadFromText?: Quad } };
    const q = r.read?.quadFromText ?? r.read?.quad;
    if (q) saved.set(r.file, q);
  }
}
const recognizer = values.recognize ? await createRecognizer({ poolSize: 0 }) : undefined;

export function cornerError(q: Quad, truth: Quad, width: number): number {
  let worst = 0;
  for (let i = 0; i < 4; i++) worst = Math.max(worst, Math.hypot(q[i]![0] - truth[i]![0], q[i]![1] - truth[i]![1]));
  return (100 * worst) / width;
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};

const before: number[] = [], after: number[] = [], ms: number[] = [];
const rows: Array<{ file: string; before: number; after: number; refined: boolean; tags: string }> = [];
let refined = 0, worse = 0, n = 0;
const limit = values.limit ? Number(values.limit) : Infinity;
for (const t of truths) {
  if (!t.quad || !t.cardWidthPx) continue;
  if (values.only && !t.distortions.includes(values.only)) continue;
  if (n >= limit) break;
  const bytes = fs.readFileSync(path.join(dir, t.file));
  let estimate = saved.get(t.file);
  if (recognizer) {
    const read = await recognizer.read(bytes);
    estimate = read.quadFromText ?? read.quad;
  }
  if (!estimate) continue;
  n++;
  const img = await decodeImage(bytes);
  const angle = Math.atan2(estimate[1][1] - estimate[0][1], estimate[1][0] - estimate[0][0]);
  const t0 = performance.now();
  const q = refineCardQuad(img, angle, estimate);
  ms.push(performance.now() - t0);
  const eb = cornerError(estimate, t.quad, t.cardWidthPx);
  const ea = q ? cornerError(q, t.quad, t.cardWidthPx) : eb;
  if (q) refined++;
  if (ea > eb + 1) worse++;
  before.push(eb);
  after.push(ea);
  rows.push({ file: t.file, before: eb, after: ea, refined: !!q, tags: t.distortions.join(',') });
}
await recognizer?.close();

const f = (x: number) => x.toFixed(2);
const within = (xs: number[], lim: number) => ((100 * xs.filter((x) => x <= lim).length) / Math.max(1, xs.length)).toFixed(1);
console.log(`card corners on ${path.relative(root, dir)}: ${n} cards (fronts and backs with a quad)`);
console.log(`worst-corner error, % of card width   median   p95    ≤3 %    ≤5 %`);
console.log(`  estimate (text extent)              ${f(pct(before, 0.5))}   ${f(pct(before, 0.95))}   ${within(before, 3)}%   ${within(before, 5)}%`);
console.log(`  refined (card edges, else estimate) ${f(pct(after, 0.5))}   ${f(pct(after, 0.95))}   ${within(after, 3)}%   ${within(after, 5)}%`);
const worst = rows.reduce((m, r) => Math.max(m, r.after - r.before), 0);
console.log(`edges found on ${refined}/${n} (${((100 * refined) / Math.max(1, n)).toFixed(1)}%); worse than the estimate by over 1 % of the width: ${worse} (at most by ${f(worst)} %)`);
console.log(`refineCardQuad time: median ${f(pct(ms, 0.5))} ms, p95 ${f(pct(ms, 0.95))} ms`);
const tags = new Map<string, { b: number[]; a: number[] }>();
for (const r of rows) for (const tag of r.tags.split(',')) {
  const e = tags.get(tag) ?? { b: [], a: [] };
  e.b.push(r.before); e.a.push(r.after);
  tags.set(tag, e);
}
console.log('per distortion: ≤3 % before → after (n)');
for (const [tag, e] of [...tags].sort()) console.log(`  ${tag.padEnd(14)} ${within(e.b, 3).padStart(5)}% → ${within(e.a, 3).padStart(5)}%  (${e.b.length})`);
const worstN = Number(values.worst);
if (worstN > 0) {
  console.log('worst after:');
  for (const r of [...rows].sort((a, b) => b.after - a.after).slice(0, worstN)) console.log(`  ${r.file} ${f(r.before)} -> ${f(r.after)} ${r.refined ? 'refined' : 'kept'} ${r.tags}`);
}
