// The OCR benchmark's scoring: exact matches per field, whole cards, sides, and the section
// written into docs/BENCHMARKS.md without touching the other sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, cardCorrect, fieldCorrect, percentile, upsertSection, SECTION_TITLE, type CardOutcome } from '../../bench/ocr-score.ts';
import type { CardTruth } from '../../tools/gen-cards/index.ts';

const front = { name: '张三', sex: '男', nation: '汉', birthday: '19900307', address: '北京市朝阳区建设路1号', idCard: '11010519900307123X' };
const truth = (over: Partial<CardTruth>): CardTruth => ({
  seed: 1, side: 'front', format: 'jpeg', width: 100, height: 100, exifOrientation: 1, distortions: ['photo'],
  inDictionary: true, missingChars: [], front, ...over,
});
const read = (values: Record<string, string>, confidence = 0.99) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, confidence }]));

test('fields match exactly after removing spaces; the number ignores the case of X; a wrong side fails all', () => {
  const ok: CardOutcome = { truth: truth({}), latencyMs: 1, result: { side: 'front', front: read({ ...front, address: '北京市朝阳区 建设路1号', idCard: '11010519900307123x' }) } };
  assert.ok(cardCorrect(ok));
  const wrongName: CardOutcome = { ...ok, result: { side: 'front', front: read({ ...front, name: '张王' }) } };
  assert.equal(fieldCorrect(wrongName, 'name'), false);
  assert.equal(fieldCorrect(wrongName, 'idCard'), true);
  assert.equal(cardCorrect(wrongName), false);
  const asBack: CardOutcome = { ...ok, result: { side: 'back', front: read(front) } };
  assert.equal(fieldCorrect(asBack, 'sex'), false);
  assert.equal(cardCorrect({ truth: truth({}), latencyMs: 1, error: 'boom' }), false);
});

test('the report counts in-dictionary cards apart, and sides of backs and negatives', () => {
  const outcomes: CardOutcome[] = [
    { truth: truth({}), latencyMs: 100, result: { side: 'front', front: read(front) } },
    { truth: truth({ inDictionary: false, missingChars: ['泐'] }), latencyMs: 300, result: { side: 'front', front: read({ ...front, name: '张x' }) } },
    { truth: truth({ side: 'back', front: undefined, back: { authority: '北京市公安局朝阳分局', validity: '2010.01.01-2020.01.01' } }), latencyMs: 50, result: { side: 'back' } },
    { truth: truth({ side: 'none', front: undefined, negative: 'blank' }), latencyMs: 20, result: { side: 'front' } },
  ];
  const { rates, markdown } = buildReport(outcomes, { medianMs: 75, p95Ms: 300, cardsPerSecond: 7, throughputCards: 4, poolSize: 2, threads: 1, peakRssMb: 500, cpuMsPerCard: 90 }, { command: 'x', machine: 'm', date: 'd' });
  assert.equal(rates.card, 1);
  assert.equal(rates.name, 1);
  assert.equal(rates.back, 1);
  assert.equal(rates.none, 0);
  assert.match(markdown, /\| \*\*whole card\*\* \| 100\.0% \| 50\.0% \|/);
  assert.match(markdown, /out-of-dictionary fronts: wrong fields with confidence ≥ 0\.9 \| 1 \|/);
});

test('percentile and the BENCHMARKS.md section upsert', () => {
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  const doc = '# Benchmarks\n\n## Other\n\nkeep me\n';
  const once = upsertSection(doc, 'table 1');
  assert.ok(once.includes('keep me') && once.includes(`${SECTION_TITLE}\n\ntable 1`));
  const twice = upsertSection(`${once}\n## Later\n\nalso keep\n`, 'table 2');
  assert.ok(!twice.includes('table 1') && twice.includes('table 2') && twice.includes('keep me') && twice.includes('also keep'));
});
