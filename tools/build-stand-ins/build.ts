// `npm run build:stand-ins [-- --unihan /usr/share/unicode]`: which characters the recogniser
// gives, confidently, for a character it cannot produce. Its dictionary (ppocr_keys_v1, 6,623
// characters) lacks 2,596 of the 8,105 characters of the 通用规范汉字表 (the 2013 standard list
// of characters, the ones a name may be registered with; Unihan's kTGH field), and for many of
// them the model reads a look-alike with high probability: 昪 as 昇, 瑀 as 璃.
//
// Each missing character is drawn in the card's sans face between two common characters, and in
// front of two, at the size the recogniser sees a line (48 px high); the character the model
// reads in its place, and the probability, are recorded. The output, src/recognition/stand-ins.json,
// is committed: the product reads it and needs neither Unihan nor fonts. Needs Debian's
// `unicode-data` (Unihan) and `fonts-noto-cjk`; run by a developer when the model changes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadModels, releaseModels } from '../../src/recognition/ocr/engine.ts';
import { recognizeLines } from '../../src/recognition/ocr/recognize.ts';
import { greedyDecode } from '../../src/recognition/ocr/ctc.ts';
import { registerFonts } from '../gen-cards/fonts.ts';
import { lineImage } from './line-image.ts';
import type { StandInTable } from '../../src/recognition/stand-ins.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { unihan: { type: 'string', default: '/usr/share/unicode' } } });
/** a substitution read at least this surely is recorded: one a read's probability cannot reveal */
const RECORD_FROM = 0.9;
/** 通用规范汉字表: characters 1–3500 are level 1, 3501–6500 level 2, 6501–8105 level 3 (names, places, terms) */
const LEVEL_3_FROM = 6501;

interface Listed { char: string; index: number }

function unihanField(dir: string, field: string): Map<string, string> {
  const files = fs.readdirSync(dir).filter((f) => /^Unihan_.*\.txt(\.bz2)?$/.test(f));
  if (!files.length) throw new Error(`no Unihan files in ${dir}: apt-get install unicode-data`);
  const out = new Map<string, string>();
  for (const f of files) {
    const full = path.join(dir, f);
    const text = f.endsWith('.bz2') ? execFileSync('bzcat', [full], { maxBuffer: 1 << 28 }).toString('utf8') : fs.readFileSync(full, 'utf8');
    for (const line of text.split('\n')) {
      const [cp, name, value] = line.split('\t');
      if (name === field && cp!.startsWith('U+')) out.set(String.fromCodePoint(parseInt(cp!.slice(2), 16)), value!);
    }
  }
  return out;
}

registerFonts();
const models = await loadModels();
const known = new Set(models.charset);
const listed: Listed[] = [...unihanField(values.unihan, 'kTGH')].map(([char, v]) => ({ char, index: Number(v.split(':')[1]) }));
const missing = listed.filter((l) => !known.has(l.char));
const contexts: [string, string][] = [['张', '明'], ['', '文华']];
const standIns = new Map<string, { for: Set<string>; p: number }>();
for (const { char: rare, index } of missing) {
  if (index < LEVEL_3_FROM) continue;
  for (const [before, after] of contexts) {
    const [probs] = await recognizeLines(models, [lineImage(before + rare + after)]);
    const chars = greedyDecode(probs!, models.charset).chars.filter((c) => c.char.trim());
    // only a read that kept the context and gave one character in the rare one's place tells
    // which character stands in for it
    const at = [...before].length;
    const expected = [...before, '', ...after];
    if (chars.length !== expected.length || chars.some((c, i) => i !== at && c.char !== expected[i])) continue;
    const got = chars[at]!;
    if (got.prob < RECORD_FROM) continue;
    const entry = standIns.get(got.char) ?? { for: new Set<string>(), p: 0 };
    entry.for.add(rare);
    entry.p = Math.max(entry.p, got.prob);
    standIns.set(got.char, entry);
  }
}
await releaseModels(models);

const table: StandInTable = {
  $comment: 'Written by tools/build-stand-ins/build.ts; do not edit. For each character the recogniser produces: the level-3 characters of the 通用规范汉字表 (names, places) outside its dictionary that it reads as that character with probability >= 0.9, and the highest probability it gave such a read.',
  source: `Unihan kTGH: ${missing.filter((m) => m.index >= LEVEL_3_FROM).length} level-3 characters outside ppocr_keys_v1 drawn in Noto Sans CJK SC, read by PP-OCRv4 rec`,
  standIns: Object.fromEntries([...standIns].sort((a, b) => b[1].p - a[1].p).map(([c, e]) => [c, { for: [...e.for].join(''), p: Math.round(e.p * 1000) / 1000 }])),
};
// one entry per line, so a rebuild's diff shows what changed
const entries = Object.entries(table.standIns).map(([c, e]) => `  ${JSON.stringify(c)}: ${JSON.stringify(e)}`);
const json = `{\n "$comment": ${JSON.stringify(table.$comment)},\n "source": ${JSON.stringify(table.source)},\n "standIns": {\n${entries.join(',\n')}\n }\n}\n`;
fs.writeFileSync(path.join(root, 'src/recognition/stand-ins.json'), json);
console.log(`${missing.length} listed characters outside the dictionary, ${missing.filter((m) => m.index >= LEVEL_3_FROM).length} of level 3; ${standIns.size} characters stand in for one with p >= ${RECORD_FROM}`);
