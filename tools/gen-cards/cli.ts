// `npm run gen:cards -- --seed 1 --count 500 --out bench/out/cards [--backs 0.12] [--negatives 0.08]`
// writes NNNN-<side>.<ext> images and truth.jsonl (one CardTruth per line, plus its file name).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateMixed } from './index.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench/out/cards' },
    backs: { type: 'string' },
    negatives: { type: 'string' },
  },
});
const seed = Number(values.seed);
const count = Number(values.count);
if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 1) {
  console.error('usage: gen:cards -- --seed N --count N --out DIR [--backs 0.12] [--negatives 0.08]');
  process.exit(2);
}
const out = path.resolve(values.out!);
fs.mkdirSync(out, { recursive: true });
const lines: string[] = [];
const started = Date.now();
for (let i = 0; i < count; i++) {
  const card = await generateMixed(seed, i, {
    backs: values.backs === undefined ? undefined : Number(values.backs),
    negatives: values.negatives === undefined ? undefined : Number(values.negatives),
  });
  const file = `${String(i).padStart(4, '0')}-${card.truth.side}.${card.extension}`;
  fs.writeFileSync(path.join(out, file), card.bytes);
  lines.push(JSON.stringify({ file, ...card.truth }));
  if ((i + 1) % 50 === 0) console.error(`${i + 1}/${count} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
fs.writeFileSync(path.join(out, 'truth.jsonl'), lines.join('\n') + '\n');
console.error(`wrote ${count} images and truth.jsonl to ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
