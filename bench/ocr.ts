// `npm run bench:ocr [-- --seed 1 --fronts 500 --throughput 200 --pool N --threads T --write]`
// Accuracy and speed of the card recognizer on generated cards (tools/gen-cards): at least
// `--fronts` fronts of mixed distortions plus the backs and card-less images the mix draws
// (about 12 % and 8 %). The set is generated once by a child process into bench/out/ and reused.
// Phase 1 reads every image one request at a time (latency, accuracy); phase 2 keeps the pool
// busy on the first `--throughput` images (cards/s). `--write` puts the table into
// docs/BENCHMARKS.md, replacing only this benchmark's section.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GENERATOR_VERSION, type CardTruth } from '../tools/gen-cards/index.ts';
import { createRecognizer } from '../src/recognition/index.ts';
import { buildReport, percentile, upsertSection, type CardOutcome } from './ocr-score.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    fronts: { type: 'string', default: '500' },
    throughput: { type: 'string', default: '200' },
    pool: { type: 'string' },
    /** onnxruntime intra-op threads per worker (the server's SHIMING_RECOGNITION_THREADS); default: the pool's */
    threads: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const wantFronts = Number(values.fronts);
const poolSize = values.pool === undefined ? os.availableParallelism() : Number(values.pool);
const threads = values.threads === undefined ? undefined : Number(values.threads);
const setDir = path.join(root, 'bench/out', `ocr-cards-v${GENERATOR_VERSION}-s${seed}-f${wantFronts}`);

type Row = CardTruth & { file: string };

/** Generate (in a child process, so this one's RSS is the recognizer's) or reuse the card set. */
function loadSet(): Row[] {
  const truthFile = path.join(setDir, 'truth.jsonl');
  const read = () => fs.existsSync(truthFile)
    ? fs.readFileSync(truthFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row)
    : [];
  let rows = read();
  const fronts = (rs: Row[]) => rs.filter((r) => r.side === 'front').length;
  // about 80 % of the mix are fronts; ask for enough, then trim to the first `wantFronts` fronts
  let count = Math.ceil(wantFronts / 0.78);
  while (fronts(rows) < wantFronts) {
    console.error(`generating ${count} images into ${path.relative(root, setDir)} …`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'tools/gen-cards/cli.ts'), '--seed', String(seed), '--count', String(count), '--out', setDir], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) throw new Error('card generation failed');
    rows = read();
    count = Math.ceil(count * 1.1);
  }
  let seen = 0;
  const last = rows.findIndex((r) => r.side === 'front' && ++seen === wantFronts);
  return rows.slice(0, last + 1);
}

function startRssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 25);
  return { stop() { clearInterval(timer); return Math.max(peak, process.memoryUsage().rss); } };
}

async function main(): Promise<void> {
  const rows = loadSet();
  const rss = startRssSampler();
  const recognizer = await createRecognizer({ poolSize, threads });
  const bytesOf = (r: Row) => fs.readFileSync(path.join(setDir, r.file));
  // warm-up: one read per worker, outside the measurements
  await Promise.all(rows.slice(0, Math.max(1, poolSize)).map((r) => recognizer.read(bytesOf(r)).catch(() => undefined)));

  const outcomes: CardOutcome[] = [];
  const cpuBefore = process.cpuUsage();
  for (const [i, row] of rows.entries()) {
    const bytes = bytesOf(row);
    const t0 = performance.now();
    try {
      const result = await recognizer.read(bytes);
      outcomes.push({ truth: row, result, latencyMs: performance.now() - t0 });
    } catch (err) {
      outcomes.push({ truth: row, error: err instanceof Error ? err.message : String(err), latencyMs: performance.now() - t0 });
    }
    if ((i + 1) % 100 === 0) console.error(`read ${i + 1}/${rows.length}`);
  }

  const cpu1 = process.cpuUsage(cpuBefore);
  const cpuMsPerCard = (cpu1.user + cpu1.system) / 1000 / rows.length;

  const subset = rows.slice(0, Math.min(rows.length, Number(values.throughput)));
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < subset.length) {
      const row = subset[next++]!;
      await recognizer.read(bytesOf(row)).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, poolSize) * 2 }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const peakRss = rss.stop();
  await recognizer.close();

  const latencies = outcomes.map((o) => o.latencyMs);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = os.loadavg()[0]!.toFixed(1);
  const report = buildReport(outcomes, {
    medianMs: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    cardsPerSecond: subset.length / seconds,
    throughputCards: subset.length,
    poolSize,
    threads: threads ?? 1,
    peakRssMb: peakRss / 2 ** 20,
    cpuMsPerCard,
  }, {
    command: `npm run bench:ocr -- --seed ${seed} --fronts ${wantFronts} --throughput ${values.throughput}${values.pool ? ` --pool ${poolSize}` : ''}${values.threads ? ` --threads ${threads}` : ''}`,
    machine: `${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${load} at the end (other work shares the cores)`,
    date: new Date().toISOString().slice(0, 10),
  });
  fs.writeFileSync(path.join(setDir, 'results.jsonl'), outcomes.map((o) => JSON.stringify({
    file: o.truth.file, side: o.truth.side, distortions: o.truth.distortions, latencyMs: Math.round(o.latencyMs),
    error: o.error, truth: o.truth.front ?? o.truth.back, read: o.result,
  })).join('\n') + '\n');
  console.log(report.markdown);
  if (values.write) {
    const doc = path.join(root, 'docs/BENCHMARKS.md');
    const before = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n';
    fs.writeFileSync(doc, upsertSection(before, report.markdown));
    console.error('written to docs/BENCHMARKS.md');
  }
}

await main();
