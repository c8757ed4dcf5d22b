// Scoring for `npm run bench:ocr`: compare what the recognizer read with the generator's ground
// truth, and turn the tallies into the markdown table for docs/BENCHMARKS.md. Pure functions,
// so the numbers can be checked without running OCR.
import type { CardTruth } from '../tools/gen-cards/index.ts';

export const FRONT_FIELDS = ['name', 'sex', 'nation', 'birthday', 'address', 'idCard'] as const;
export type FrontField = (typeof FRONT_FIELDS)[number];

interface ReadFieldLike { value: string; confidence: number }
/** the parts of the recognition contract (src/recognition/types.ts) the benchmark reads */
export interface ResultLike {
  side: 'front' | 'back' | 'none';
  front?: Partial<Record<FrontField, ReadFieldLike>>;
  back?: { authority?: ReadFieldLike; validity?: ReadFieldLike };
}

export interface CardOutcome {
  truth: CardTruth & { file?: string };
  /** undefined when read() threw */
  result?: ResultLike;
  error?: string;
  latencyMs: number;
}

function norm(field: string, value: string | undefined): string {
  if (value === undefined) return '';
  const v = value.replace(/\s+/g, '');
  return field === 'idCard' ? v.toUpperCase() : v;
}

export function fieldCorrect(o: CardOutcome, field: FrontField): boolean {
  if (o.result?.side !== 'front' || !o.truth.front) return false;
  return norm(field, o.result.front?.[field]?.value) === norm(field, o.truth.front[field]);
}

export function cardCorrect(o: CardOutcome): boolean {
  return FRONT_FIELDS.every((f) => fieldCorrect(o, f));
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '–');

export interface Speed {
  medianMs: number;
  p95Ms: number;
  cardsPerSecond: number;
  throughputCards: number;
  poolSize: number;
  /** onnxruntime intra-op threads per worker */
  threads: number;
  peakRssMb: number;
  /** process CPU time (all threads) per image in phase 1: steadier than latency on a shared machine */
  cpuMsPerCard: number;
}

export interface Report {
  markdown: string;
  /** headline rates (0..1) for the in-dictionary fronts */
  rates: Record<FrontField | 'card' | 'back' | 'none', number>;
}

/** wrong answers given with high confidence: the failure the product must avoid */
function confidentWrong(fronts: CardOutcome[], threshold: number): number {
  let n = 0;
  for (const o of fronts) {
    for (const f of FRONT_FIELDS) {
      const read = o.result?.front?.[f];
      if (read && o.result?.side === 'front' && !fieldCorrect(o, f) && read.confidence >= threshold) n++;
    }
  }
  return n;
}

/** right answers given without confidence: each one sends a good read to a person for review */
export function rightButDoubted(fronts: CardOutcome[], threshold: number, fields: readonly FrontField[] = FRONT_FIELDS): number {
  let n = 0;
  for (const o of fronts) {
    for (const f of fields) {
      const read = o.result?.front?.[f];
      if (read && o.result?.side === 'front' && fieldCorrect(o, f) && read.confidence < threshold) n++;
    }
  }
  return n;
}

export function buildReport(outcomes: CardOutcome[], speed: Speed, meta: { command: string; machine: string; date: string }): Report {
  const fronts = outcomes.filter((o) => o.truth.side === 'front');
  const inDict = fronts.filter((o) => o.truth.inDictionary);
  const outDict = fronts.filter((o) => !o.truth.inDictionary);
  const backs = outcomes.filter((o) => o.truth.side === 'back');
  const nones = outcomes.filter((o) => o.truth.side === 'none');
  const count = (set: CardOutcome[], pred: (o: CardOutcome) => boolean) => set.filter(pred).length;
  const lines: string[] = [];
  lines.push(
    'Synthetic cards from `tools/gen-cards` (seeded, so the same set every run): fronts of mixed',
    'distortions (photos on wood/desk/cloth with tilt, any rotation incl. 90/180/270, hand, glare,',
    'uneven light, blur, JPEG q30, 300 px-wide cards, 4096 px photos, scans, EXIF-rotated JPEGs,',
    'PNG and BMP) plus backs and images without a card. Phase 1 reads every image one request at',
    'a time (accuracy, latency); phase 2 keeps the worker pool busy (cards/s). A field counts only',
    'when exactly equal to the truth; "in-dictionary" cards are those whose name and address',
    'characters are all in the OCR model\'s dictionary (the nation is read from the closed list).',
    '',
  );
  lines.push(`- Command: \`${meta.command}\``, `- Date: ${meta.date}`, `- Machine: ${meta.machine}`);
  lines.push(`- Images: ${outcomes.length} (${fronts.length} fronts, of which ${inDict.length} with every character in the model's dictionary; ${backs.length} backs; ${nones.length} without a card); errors thrown: ${count(outcomes, (o) => !!o.error)}`);
  lines.push('', '| field | in-dictionary fronts | all fronts | target |', '| --- | ---: | ---: | ---: |');
  const targets: Record<string, string> = { idCard: '≥ 99.5%', card: '≥ 97%' };
  for (const f of FRONT_FIELDS) {
    lines.push(`| ${f} | ${pct(count(inDict, (o) => fieldCorrect(o, f)), inDict.length)} | ${pct(count(fronts, (o) => fieldCorrect(o, f)), fronts.length)} | ${targets[f] ?? '≥ 99%'} |`);
  }
  lines.push(`| **whole card** | ${pct(count(inDict, cardCorrect), inDict.length)} | ${pct(count(fronts, cardCorrect), fronts.length)} | ≥ 97% |`);
  lines.push(`| side = front | ${pct(count(inDict, (o) => o.result?.side === 'front'), inDict.length)} | ${pct(count(fronts, (o) => o.result?.side === 'front'), fronts.length)} | |`);
  lines.push('', '| detection | rate | n | target |', '| --- | ---: | ---: | ---: |');
  lines.push(`| back recognised as back | ${pct(count(backs, (o) => o.result?.side === 'back'), backs.length)} | ${backs.length} | ≥ 99% |`);
  lines.push(`| back: authority exact | ${pct(count(backs, (o) => norm('', o.result?.back?.authority?.value) === norm('', o.truth.back?.authority)), backs.length)} | ${backs.length} | |`);
  lines.push(`| back: validity exact | ${pct(count(backs, (o) => norm('', o.result?.back?.validity?.value) === norm('', o.truth.back?.validity)), backs.length)} | ${backs.length} | |`);
  for (const kind of ['document', 'scene', 'blank'] as const) {
    const set = nones.filter((o) => o.truth.negative === kind);
    lines.push(`| no card (${kind}) → none | ${pct(count(set, (o) => o.result?.side === 'none'), set.length)} | ${set.length} | ≥ 99% |`);
  }
  lines.push(`| no card, all → none | ${pct(count(nones, (o) => o.result?.side === 'none'), nones.length)} | ${nones.length} | ≥ 99% |`);
  lines.push(`| out-of-dictionary fronts: wrong fields with confidence ≥ 0.9 | ${confidentWrong(outDict, 0.9)} | ${outDict.length} | 0 |`);
  lines.push(`| all fronts: wrong fields with confidence ≥ 0.9 | ${confidentWrong(fronts, 0.9)} | ${fronts.length} | |`);
  lines.push(`| in-dictionary fronts: right fields with confidence < 0.9 (all fields / names) | ${rightButDoubted(inDict, 0.9)} / ${rightButDoubted(inDict, 0.9, ['name'])} | ${inDict.length} | |`);
  lines.push('', '| distortion (in-dictionary fronts) | n | whole card | idCard | name | address |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  const tags = [...new Set(inDict.flatMap((o) => o.truth.distortions))].sort();
  for (const tag of tags) {
    const set = inDict.filter((o) => o.truth.distortions.includes(tag));
    lines.push(`| ${tag} | ${set.length} | ${pct(count(set, cardCorrect), set.length)} | ${pct(count(set, (o) => fieldCorrect(o, 'idCard')), set.length)} | ${pct(count(set, (o) => fieldCorrect(o, 'name')), set.length)} | ${pct(count(set, (o) => fieldCorrect(o, 'address')), set.length)} |`);
  }
  lines.push('', '| speed | measured | target |', '| --- | ---: | ---: |');
  lines.push(`| latency per card, one request at a time: median | ${speed.medianMs.toFixed(0)} ms | ≤ 250 ms |`);
  lines.push(`| latency per card, one request at a time: p95 | ${speed.p95Ms.toFixed(0)} ms | |`);
  lines.push(`| CPU time per card (all threads, phase 1) | ${speed.cpuMsPerCard.toFixed(0)} ms | |`);
  lines.push(`| throughput, pool of ${speed.poolSize} workers × ${speed.threads} thread${speed.threads > 1 ? 's' : ''} busy (${speed.throughputCards} images) | ${speed.cardsPerSecond.toFixed(2)} cards/s | ≥ 6 |`);
  lines.push(`| peak RSS (whole process, pool loaded) | ${speed.peakRssMb.toFixed(0)} MB | ≤ 600 MB |`);
  const rate = (set: CardOutcome[], pred: (o: CardOutcome) => boolean) => (set.length ? count(set, pred) / set.length : NaN);
  const rates = {
    ...Object.fromEntries(FRONT_FIELDS.map((f) => [f, rate(inDict, (o) => fieldCorrect(o, f))])),
    card: rate(inDict, cardCorrect),
    back: rate(backs, (o) => o.result?.side === 'back'),
    none: rate(nones, (o) => o.result?.side === 'none'),
  } as Report['rates'];
  return { markdown: lines.join('\n'), rates };
}

export const SECTION_TITLE = '## OCR accuracy and speed (`npm run bench:ocr`)';

/** Replace our section of BENCHMARKS.md (or append it), leaving the others' sections alone. */
export function upsertSection(doc: string, body: string): string {
  const section = `${SECTION_TITLE}\n\n${body.trim()}\n`;
  const start = doc.indexOf(SECTION_TITLE);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  const next = doc.indexOf('\n## ', start + SECTION_TITLE.length);
  return doc.slice(0, start) + section + (next < 0 ? '' : doc.slice(next));
}
