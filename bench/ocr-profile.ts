// `node --import tsx bench/ocr-profile.ts [--set DIR] [--limit N] [--every K] [--show-wrong]`
// Development aid for the recognizer: reads a slice of the bench set in this thread (no pool),
// and prints where the time goes (pipeline stages; time and calls per model; the columns fed to
// the line recogniser; each model's CPU by the pipeline step that ran it) and the per-field accuracy on that slice. The figures that count are
// `npm run bench:ocr`'s; this one is for finding what to change.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadModels, type OcrModels } from '../src/recognition/ocr/engine.ts';
import { decodeImage, RECOGNITION_MAX_SIDE, RECOGNITION_REDUCED_SIDE } from '../src/recognition/image.ts';
import { readCard } from '../src/recognition/pipeline.ts';
import { FRONT_FIELDS, cardCorrect, fieldCorrect, percentile, rightButDoubted, type CardOutcome } from './ocr-score.ts';
import type { CardTruth } from '../tools/gen-cards/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'bench/out/ocr-cards-v2-s1-f500' },
    limit: { type: 'string', default: '100' },
    every: { type: 'string', default: '1' },
    'show-wrong': { type: 'boolean', default: false },
    /** onnxruntime intra-op threads (SHIMING_RECOGNITION_THREADS) */
    threads: { type: 'string', default: '1' },
    /** only cards with characters outside the model's dictionary */
    rare: { type: 'boolean', default: false },
    /** only cards made with this distortion (e.g. low-res, rotate-any) */
    distortion: { type: 'string' },
    /** only images of this side (front, back, none) */
    side: { type: 'string' },
  },
});
const setDir = path.resolve(root, values.set);
type Row = CardTruth & { file: string };
const all = fs.readFileSync(path.join(setDir, 'truth.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
const every = Number(values.every);
const rows = all
  .filter((r) => !values.distortion || (r.distortions as readonly string[]).includes(values.distortion))
  .filter((r) => !values.side || r.side === values.side)
  .filter((r, i) => (values.rare ? !r.inDictionary : i % every === 0))
  .slice(0, Number(values.limit));

interface ModelStat { calls: number; ms: number; items: number; cols: number }
const modelStats: Record<string, ModelStat> = {};
/** model CPU by the pipeline step that asked for the run (a second detection, a reread, …) */
const siteStats: Record<string, { calls: number; ms: number; px: number }> = {};
const PLUMBING = /^(run|recognizeLines?|detectText|runFilled|Object\.|process|new Promise|<anonymous>)/;
function callingStep(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(3).map((l) => l.trim().replace(/^at (async )?/, '').split(' ')[0]!);
  return frames.filter((f) => f && !PLUMBING.test(f) && !f.startsWith('file:')).slice(0, 2).join(' < ');
}
function instrument(name: string, session: ort.InferenceSession): void {
  const stat: ModelStat = (modelStats[name] = { calls: 0, ms: 0, items: 0, cols: 0 });
  const run = session.run.bind(session);
  (session as { run: unknown }).run = async (feeds: Record<string, ort.Tensor>, ...rest: unknown[]) => {
    // CPU time, not wall time: the figures stay comparable when other work shares the cores
    const c0 = process.cpuUsage();
    const out = await (run as (...a: unknown[]) => Promise<unknown>)(feeds, ...rest);
    const c = process.cpuUsage(c0);
    stat.ms += (c.user + c.system) / 1000;
    stat.calls++;
    const dims = Object.values(feeds)[0]!.dims;
    stat.items += dims[0]!;
    stat.cols += dims[0]! * dims[3]!;
    const site = (siteStats[`${name} ${callingStep()}`] ??= { calls: 0, ms: 0, px: 0 });
    site.calls++;
    site.ms += (c.user + c.system) / 1000;
    site.px += dims[0]! * dims[2]! * dims[3]!;
    return out;
  };
}

sharp.concurrency(1);
sharp.cache(false);
const models: OcrModels = await loadModels({ threads: Number(values.threads) });
instrument('det', models.det);
instrument('rec', models.rec);
instrument('cls', models.cls);

const stages: Record<string, number[]> = {};
const outcomes: CardOutcome[] = [];
const cpu0 = process.cpuUsage();
for (const row of rows) {
  const bytes = fs.readFileSync(path.join(setDir, row.file));
  const t0 = performance.now();
  try {
    const t = performance.now();
    // decoded as the service decodes (engine-local.ts): photos past 2560 px reduced to 2048
    const img = await decodeImage(bytes, { maxSide: RECOGNITION_MAX_SIDE, reduceTo: RECOGNITION_REDUCED_SIDE });
    (stages.decode ??= []).push(performance.now() - t);
    const result = await readCard(models, { data: img.data, width: img.width, height: img.height });
    for (const [k, v] of Object.entries(result.timings ?? {})) (stages[k] ??= []).push(v);
    outcomes.push({ truth: row, result, latencyMs: performance.now() - t0 });
  } catch (err) {
    outcomes.push({ truth: row, error: String(err), latencyMs: performance.now() - t0 });
  }
}
const cpu = process.cpuUsage(cpu0);
const n = rows.length;
const lat = outcomes.map((o) => o.latencyMs);
console.log(`${n} images; median ${percentile(lat, 50).toFixed(0)} ms, p95 ${percentile(lat, 95).toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000 / n).toFixed(0)} ms/image, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
for (const [k, v] of Object.entries(stages)) console.log(`  stage ${k.padEnd(10)} mean ${(v.reduce((a, b) => a + b, 0) / n).toFixed(1)} ms`);
for (const [k, s] of Object.entries(modelStats)) {
  console.log(`  model ${k}: ${(s.ms / n).toFixed(1)} CPU ms/image, ${(s.calls / n).toFixed(1)} runs, ${(s.items / n).toFixed(1)} items, ${(s.cols / n).toFixed(0)} columns per image`);
}
for (const [k, s] of Object.entries(siteStats).sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  step ${k}: ${(s.ms / n).toFixed(1)} CPU ms/image, ${(s.calls / n).toFixed(2)} runs/image, ${(s.px / s.calls / 1000).toFixed(0)} kpx/run`);
}
const fronts = outcomes.filter((o) => o.truth.side === 'front');
const sideOk = outcomes.filter((o) => (o.result?.side ?? 'error') === o.truth.side).length;
// the floor counts the fronts whose every character the model can produce
const inDictionary = fronts.filter((o) => o.truth.inDictionary);
console.log(`side right ${sideOk}/${n}; fronts ${fronts.length}: whole card ${fronts.filter(cardCorrect).length}; in-dictionary ${inDictionary.filter(cardCorrect).length} of ${inDictionary.length}`);
console.log('  ' + FRONT_FIELDS.map((f) => `${f} ${fronts.filter((o) => fieldCorrect(o, f)).length}`).join(', '));
// a wrong value with high confidence is worse than an empty one: the caller cannot tell
const confidentWrong = fronts.flatMap((o) => FRONT_FIELDS.filter((f) => !fieldCorrect(o, f) && (o.result?.front?.[f]?.confidence ?? 0) >= 0.9).map((f) => `${o.truth.file}:${f}`));
console.log(`confident (>= 0.9) but wrong: ${confidentWrong.length} ${confidentWrong.join(' ')}`);
// the back's two fields, exact, and how many wrong ones came back sure
const backs = outcomes.filter((o) => o.truth.side === 'back');
const backField = (o: CardOutcome, f: 'authority' | 'validity') => o.result?.back?.[f]?.value === o.truth.back?.[f];
const backSureWrong = backs.flatMap((o) => (['authority', 'validity'] as const).filter((f) => !backField(o, f) && (o.result?.back?.[f]?.confidence ?? 0) >= 0.9));
const backRightDoubted = backs.flatMap((o) => (['authority', 'validity'] as const).filter((f) => backField(o, f) && (o.result?.back?.[f]?.confidence ?? 0) < 0.9));
console.log(`backs ${backs.length}: authority ${backs.filter((o) => backField(o, 'authority')).length}, validity ${backs.filter((o) => backField(o, 'validity')).length}, wrong with confidence >= 0.9: ${backSureWrong.length}, right with confidence < 0.9: ${backRightDoubted.length}`);
// the other side of the same threshold: good reads sent to a person for review
console.log(`right but doubted (< 0.9): ${rightButDoubted(fronts, 0.9)} (names ${rightButDoubted(fronts, 0.9, ['name'])})`);
if (values['show-wrong']) {
  for (const o of outcomes) {
    if (o.truth.side !== (o.result?.side ?? 'error')) {
      console.log(`${o.truth.file} [${o.truth.distortions.join(',')}] side ${o.result?.side ?? o.error} (truth ${o.truth.side})`);
      continue;
    }
    if (o.truth.side === 'back') {
      for (const f of ['authority', 'validity'] as const) {
        if (!backField(o, f)) console.log(`${o.truth.file} [${o.truth.distortions.join(',')}] ${f}: ${JSON.stringify(o.result?.back?.[f])} truth ${JSON.stringify(o.truth.back?.[f])}`);
      }
    }
    if (o.truth.side !== 'front') continue;
    for (const f of FRONT_FIELDS) {
      if (!fieldCorrect(o, f)) console.log(`${o.truth.file} [${o.truth.distortions.join(',')}] ${f}: ${JSON.stringify(o.result?.front?.[f])} truth ${JSON.stringify(o.truth.front?.[f])}`);
    }
  }
}
