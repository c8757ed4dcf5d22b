// `npm run build:nation-look-alikes`: what the recogniser reads for each nation's name when the
// name is small and soft, as on a low-resolution or blurred photo of a card. Some names it then
// reads as other characters every time (傈僳 as 保, 畲 as 窗 or 宙, 彝 as 葬): the characters of
// the name itself get no probability at all, so the closed list alone cannot find it. Each name
// is drawn in the card's sans face, reduced to a text height of 8, 10 and 12 px and brought back
// to the recogniser's 48 px line, sharp and blurred; a read other than the name that comes back
// in at least two of the nine is recorded. The output, src/recognition/nation-look-alikes.json, is
// committed; the product reads it and needs no fonts. Needs `fonts-noto-cjk`; run by a developer
// when the model changes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModels, releaseModels } from '../../src/recognition/ocr/engine.ts';
import { recognizeLines } from '../../src/recognition/ocr/recognize.ts';
import { greedyDecode } from '../../src/recognition/ocr/ctc.ts';
import { NATIONS } from '../../src/idcard/index.ts';
import { registerFonts } from '../gen-cards/fonts.ts';
import { smallLine } from './line-image.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(root, 'src/recognition/nation-look-alikes.json');
/** the text heights (px) a small card's nation is drawn at, and the blurs (σ at 48 px) */
const TEXT_PX = [8, 10, 12];
const BLURS = [0, 1.2, 2];
/** a read recorded must come back this often among the renders */
const MIN_COUNT = 2;

async function main(): Promise<void> {
  registerFonts();
  const models = await loadModels();
  const names = new Set(NATIONS);
  const lookAlikes: Record<string, string[]> = {};
  for (const nation of NATIONS) {
    const counts = new Map<string, number>();
    for (const px of TEXT_PX) {
      for (const blur of BLURS) {
        const [probs] = await recognizeLines(models, [await smallLine(nation, px, blur)]);
        const read = greedyDecode(probs!, models.charset).text.replace(/\s+/g, '');
        counts.set(read, (counts.get(read) ?? 0) + 1);
      }
    }
    // another nation's name is that nation's read, and a mark that is no character no read
    const kept = [...counts].filter(([read, n]) => n >= MIN_COUNT && read !== nation && !names.has(read) && /^\p{Script=Han}+$/u.test(read));
    if (kept.length) lookAlikes[nation] = kept.sort((a, b) => b[1] - a[1]).map(([read]) => read);
  }
  await releaseModels(models);
  const table = {
    $comment: 'Written by tools/build-stand-ins/nations.ts (npm run build:nation-look-alikes); do not edit. For a nation: what PP-OCRv4 rec reads, in at least 2 of 9 small and blurred renders, in place of its name.',
    source: `Noto Sans CJK SC at ${TEXT_PX.join('/')} px, blur σ ${BLURS.join('/')} at 48 px`,
    lookAlikes,
  };
  fs.writeFileSync(OUT, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`${Object.keys(lookAlikes).length} nations with look-alike reads -> ${path.relative(root, OUT)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
