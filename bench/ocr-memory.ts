// `node --import tsx bench/ocr-memory.ts [--pool 2] [--threads 1] [--peers on|lines|off|off,lines,on] [--count 40] [--lanes 4] [--only large] [--set <dir>] [--max-side 2048]`
// Where the recognizer's memory goes: RSS after starting the pool (models loaded), then while
// reading `--count` images of the generated set (default: bench/out/ocr-cards-v2-s1-f500, the
// images with the 'large' distortion first so the 4096 px photos are in every run), with both
// workers busy (`--lanes`: requests in flight, default 2 per worker; 1 = one request at a time,
// for single-request latency). Prints RSS after start, peak RSS (sampled every 10 ms, and the
// kernel's VmHWM), RSS after the run and after a pause, cards/s, median latency, CPU per card,
// and what the resident memory is near the peak and after the run (malloc heap, anonymous
// mappings, libraries: /proc/self/smaps).
// Run it with MALLOC_ARENA_MAX=1 in the environment to see what glibc's per-thread arenas cost.
// `--peers off`: no sharing of a card's line recognition with an idle worker (peer.ts).
// `--peers lines`: only line sharing (no two-thread detection). `--peers off,lines,on` (or `ab` =
// `off,on`): one request at a time, each image read by one pool per setting in rotating order,
// for a paired comparison on a machine others share (prints each median latency and the median
// of the per-image ratios to the first).
// `--max-side N`: images with a longer side are decoded reduced (default: the engine's,
// RECOGNITION_MAX_SIDE, image.ts; 4096 decodes every accepted image at full size).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRecognizer } from '../src/recognition/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    pool: { type: 'string', default: String(os.availableParallelism()) },
    count: { type: 'string', default: '40' },
    only: { type: 'string' },
    set: { type: 'string', default: path.join(root, 'bench/out/ocr-cards-v2-s1-f500') },
    lanes: { type: 'string' },
    threads: { type: 'string', default: '1' },
    peers: { type: 'string', default: 'on' },
    'max-side': { type: 'string' },
  },
});
const maxSide = values['max-side'] ? Number(values['max-side']) : undefined;
const mb = (n: number) => Math.round(n / 2 ** 20);
const rows = fs.readFileSync(path.join(values.set, 'truth.jsonl'), 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l) as { file: string; distortions: string[] });
const large = rows.filter((r) => r.distortions.includes('large'));
const rest = rows.filter((r) => !r.distortions.includes('large'));
// interleave: a large photo every few images, like a mixed stream
const picked = values.only ? rows.filter((r) => r.distortions.includes(values.only!)) : rest.flatMap((r, i) => (i % 4 === 0 && large[i / 4] ? [large[i / 4]!, r] : [r]));
const list = picked.slice(0, Number(values.count));

/** what the resident memory is, by kind of mapping (MB): the malloc heap ([heap]), anonymous
 *  mappings (V8's heaps, allocations past glibc's mmap threshold — and malloc's heap itself
 *  when the break cannot grow), the shared libraries and the node binary */
function residentByKind(): string {
  const kinds: Record<string, number> = {};
  let kind = '';
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1]!.trim();
      kind = name === '' ? 'anon' : name.startsWith('[') ? name : /\.so|\.node$/.test(name) ? 'libs' : name.endsWith('/node') ? 'node' : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]);
  }
  return Object.entries(kinds).filter(([, kb]) => kb >= 1024).sort((a, b) => b[1] - a[1]).map(([k, kb]) => `${k} ${Math.round(kb / 1024)}`).join(', ');
}
let peak = 0;
/** residentByKind() at the last sample that raised the peak by 4 MB or more */
let nearPeak = '';
const sample = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peak + 4 * 2 ** 20) nearPeak = residentByKind();
  peak = Math.max(peak, rss);
};
const timer = setInterval(sample, 10);
if (values.peers.includes(',') || values.peers === 'ab') {
  const modes = values.peers === 'ab' ? ['off', 'on'] : values.peers.split(',');
  const pools = await Promise.all(modes.map((m) => createRecognizer({ poolSize: Number(values.pool), threads: Number(values.threads), peers: m === 'lines' ? 'lines' : m !== 'off', maxSide })));
  const times: number[][] = modes.map(() => []);
  const cpu0 = process.cpuUsage();
  for (const [i, row] of list.entries()) {
    const bytes = fs.readFileSync(path.join(values.set, row.file));
    // each image read by every pool in turn, the order rotating from image to image
    for (let k = 0; k < modes.length; k++) {
      const m = (i + k) % modes.length;
      const t = performance.now();
      await pools[m]!.read(bytes).catch(() => undefined);
      times[m]!.push(performance.now() - t);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? 0;
  const parts = modes.map((m, k) => `${m} ${Math.round(med(times[k]!))} ms` + (k ? ` (median ratio to ${modes[0]} ${med(times[k]!.map((t, i) => t / times[0]![i]!)).toFixed(3)})` : ''));
  console.log(`paired, ${list.length} images one at a time, median latency: ${parts.join(', ')}; CPU ${Math.round((cpu.user + cpu.system) / 1000 / list.length / modes.length)} ms/card; load average ${os.loadavg()[0]!.toFixed(1)}`);
  clearInterval(timer);
  await Promise.all(pools.map((p) => p.close()));
  process.exit(0);
}
const t0 = performance.now();
const recognizer = await createRecognizer({ poolSize: Number(values.pool), threads: Number(values.threads), peers: values.peers === 'lines' ? 'lines' : values.peers !== 'off', maxSide });
sample();
const started = process.memoryUsage().rss;
console.log(`pool ${values.pool} x ${values.threads} thread(s), peers ${values.peers}, max side ${maxSide ?? 'default'}, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '-'}: started in ${Math.round(performance.now() - t0)} ms, RSS ${mb(started)} MB`);
let next = 0, done = 0;
const latencies: number[] = [];
const cpu0 = process.cpuUsage();
const t1 = performance.now();
const lane = async () => {
  while (next < list.length) {
    const row = list[next++]!;
    const bytes = fs.readFileSync(path.join(values.set, row.file));
    const t = performance.now();
    await recognizer.read(bytes).catch(() => undefined);
    latencies.push(performance.now() - t);
    if (++done % 10 === 0) console.log(`  after ${done}: RSS ${mb(process.memoryUsage().rss)} MB, peak ${mb(peak)} MB`);
  }
};
await Promise.all(Array.from({ length: Number(values.lanes ?? Math.max(1, Number(values.pool)) * 2) }, lane));
const secs = (performance.now() - t1) / 1000;
const cpu = process.cpuUsage(cpu0);
const median = [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)] ?? 0;
const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
sample();
const after = process.memoryUsage().rss;
await new Promise((r) => setTimeout(r, 1000));
console.log(`read ${list.length} (${list.filter((r) => r.distortions.includes('large')).length} large) in ${secs.toFixed(1)} s (${(list.length / secs).toFixed(2)} cards/s), median ${Math.round(median)} ms, CPU ${Math.round((cpu.user + cpu.system) / 1000 / list.length)} ms/card; load average ${os.loadavg()[0]!.toFixed(1)}`);
console.log(`peak RSS ${mb(peak)} MB (VmHWM ${mb(hwm)} MB); after the run ${mb(after)} MB; after 1 s idle ${mb(process.memoryUsage().rss)} MB`);
console.log(`resident by kind (MB), near the peak: ${nearPeak}; after the run: ${residentByKind()}`);
clearInterval(timer);
await recognizer.close();
