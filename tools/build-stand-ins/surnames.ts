// `npm run build:surname-look-alikes`: surnames the recogniser reads as another surname, and how
// much of its probability it still leaves them. 佘 drawn in the card's sans face comes back as 余
// in every render, sharp or blurred, small or large, yet with 佘 at 0.04 to 0.46 beside it; 余
// drawn comes back 余 with 佘 at 0.001 at most. So a 余 with a fair share of 佘 beside it is a
// 佘 the model cannot name, which neither the model's own choice nor the surnames' commonness
// can tell (余 is ten times the commoner). Each surname of the ranking is drawn before a given
// name at five text heights and three blurs; a pair is recorded where the surname is read as the
// other in at least MIN_COUNT renders and the ratio of their probabilities then stays at least
// SEPARATION times above what the other's own renders give it. The threshold recorded lies
// between the two, geometrically. The output, src/recognition/surname-look-alikes.json, is
// committed; the product reads it and needs no fonts. Needs `fonts-noto-cjk`; run by a developer
// when the model changes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModels, releaseModels } from '../../src/recognition/ocr/engine.ts';
import { recognizeLines } from '../../src/recognition/ocr/recognize.ts';
import { classProbAt, greedyDecode } from '../../src/recognition/ocr/ctc.ts';
import { knownSurnames } from '../../src/idcard/index.ts';
import { registerFonts } from '../gen-cards/fonts.ts';
import { smallLine } from './line-image.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(root, 'src/recognition/surname-look-alikes.json');
/** the text heights (px) and blurs (σ at 48 px) of the renders */
const TEXT_PX = [10, 12, 14, 16, 20];
const BLURS = [0, 1.2, 2];
/** a given name after the surname, as on a card (the model reads a lone character otherwise) */
const GIVEN = '建华';
/** a surname must come back as the other in at least this many of the 15 renders */
const MIN_COUNT = 3;
/** the ratio when misread must clear the ratio of the other's own renders by this factor */
const SEPARATION = 10;
/** ratios below this are noise however clean the other's renders are: a photo's blur, grain
 *  and JPEG blocks leave more of a look-alike than a render does */
const RATIO_FLOOR = 3e-3;

interface Render { read: string; ratio: (cls: number) => number }

async function main(): Promise<void> {
  registerFonts();
  const models = await loadModels();
  const surnames = knownSurnames().filter((s) => [...s].length === 1 && models.classOf.has(s));
  const renders = new Map<string, Render[]>();
  for (const s of surnames) {
    const list: Render[] = [];
    for (const px of TEXT_PX) {
      for (const blur of BLURS) {
        const [probs] = await recognizeLines(models, [await smallLine(s + GIVEN, px, blur)]);
        const first = greedyDecode(probs!, models.charset).chars[0];
        if (!first) continue;
        const c = { ...first, source: probs! };
        const own = Math.max(classProbAt(c, first.cls), 1e-9);
        list.push({ read: first.char, ratio: (cls) => classProbAt(c, cls) / own });
      }
    }
    renders.set(s, list);
  }
  const lookAlikes: Record<string, [string, number][]> = {};
  for (const s of surnames) {
    const cls = models.classOf.get(s)!;
    const byRead = new Map<string, number[]>();
    for (const r of renders.get(s)!) if (r.read !== s && renders.has(r.read)) byRead.set(r.read, [...(byRead.get(r.read) ?? []), r.ratio(cls)]);
    for (const [read, ratios] of byRead) {
      if (ratios.length < MIN_COUNT) continue;
      const low = Math.min(...ratios);
      // what the read surname's own renders, read right, leave this one
      const own = renders.get(read)!.filter((r) => r.read === read).map((r) => r.ratio(cls));
      const high = Math.max(RATIO_FLOOR, ...own);
      if (low < SEPARATION * high) continue;
      (lookAlikes[read] ??= []).push([s, Number(Math.sqrt(low * high).toPrecision(2))]);
    }
  }
  await releaseModels(models);
  const table = {
    $comment: 'Written by tools/build-stand-ins/surnames.ts (npm run build:surname-look-alikes); do not edit. For a surname read: surnames PP-OCRv4 rec reads as it, each with the ratio of its probability to the read\'s from which a read is taken for it.',
    source: `Noto Sans CJK SC, the surname before ${GIVEN}, at ${TEXT_PX.join('/')} px, blur σ ${BLURS.join('/')} at 48 px`,
    lookAlikes,
  };
  fs.writeFileSync(OUT, `${JSON.stringify(table, null, 1)}\n`);
  console.log(`${Object.values(lookAlikes).flat().length} surnames read as another -> ${path.relative(root, OUT)}`);
  console.log(JSON.stringify(lookAlikes));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
