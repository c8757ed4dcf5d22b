// The front's fields from hand-made recogniser output laid out as on a real card (positions in
// mm from the card's left edge, as printed): labels read wrong or not at all, values found by
// the rows around them and by the card's layout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NATIONS } from '../../src/idcard/index.ts';
import { locateFrontLabels, parseFront } from '../../src/recognition/front.ts';
import { cardPitch, groupRows, type Charset, type Row, type TextLine } from '../../src/recognition/lines.ts';
import { chooseFromList } from '../../src/recognition/fields.ts';
import type { CardBox } from '../../src/recognition/card.ts';

/** steps per mm of the synthetic recogniser output (fine enough that no two characters touch) */
const STEPS_PER_MM = 4;

function charsetOf(text: string, without = ''): Charset {
  const chars = [...new Set([...text, ...NATIONS.join(''), ...'0123456789X年月日男女'])].filter((c) => !without.includes(c) && c !== ' ');
  const charset = ['', ...chars, ' '];
  return { charset, classOf: new Map(charset.map((c, i) => [c, i] as [string, number]).filter(([c]) => c !== '')) };
}

/**
 * One detected box holding `chars`, each [character, centre in mm, probability]; every other
 * step is blank. `extra` adds probability of other classes at a character's steps.
 */
function line(cs: Charset, v: number, chars: [string, number, number?][], extra: Record<string, [string, number][]> = {}): TextLine {
  const left = chars[0]![1] - 2.5, right = chars[chars.length - 1]![1] + 2.5;
  const steps = Math.round((right - left) * STEPS_PER_MM);
  const classes = cs.charset.length;
  const probs = new Float32Array(steps * classes);
  for (let t = 0; t < steps; t++) probs[t * classes] = 1;
  for (const [ch, mm, p = 0.99] of chars) {
    const t = Math.round((mm - left) * STEPS_PER_MM - 0.5);
    for (const s of [t - 1, t, t + 1]) {
      if (s < 0 || s >= steps) continue;
      const base = s * classes;
      probs[base + cs.classOf.get(ch)!] = p;
      let rest = 1 - p;
      for (const [other, q] of extra[ch] ?? []) {
        probs[base + cs.classOf.get(other)!] = q;
        rest -= q;
      }
      probs[base] = Math.max(0, rest);
    }
  }
  const w = right - left;
  const box: CardBox = { cx: left + w / 2, cy: v, w, h: 4, angle: 0, u: left + w / 2, v, score: 1 };
  const l: TextLine = { box, probs: { probs, steps, classes }, text: { text: '', chars: [], confidence: 0 } };
  // the free decode, as the pipeline makes it
  l.text = greedy(l, cs);
  return l;
}

function greedy(l: TextLine, cs: Charset) {
  const chars = [];
  let prev = 0;
  for (let t = 0; t < l.probs.steps; t++) {
    let best = 0, bp = -1;
    for (let c = 0; c < l.probs.classes; c++) if (l.probs.probs[t * l.probs.classes + c]! > bp) { bp = l.probs.probs[t * l.probs.classes + c]!; best = c; }
    if (best !== 0 && best === prev) { chars[chars.length - 1]!.t1 = t; chars[chars.length - 1]!.prob = Math.max(chars[chars.length - 1]!.prob, bp); }
    else if (best !== 0) chars.push({ char: cs.charset[best]!, cls: best, prob: bp, t0: t, t1: t });
    prev = best;
  }
  return { text: chars.map((c) => c.char).join(''), chars, confidence: 0.9 };
}

/** characters set from `start` mm on with a fixed advance */
const run = (text: string, start: number, advance: number, p = 0.99): [string, number, number][] => [...text].map((ch, i) => [ch, start + i * advance, p]);

/** the number printed as the card does: 18 characters from 29.8 to 78.3 mm */
const number = (id: string) => run(id, 30.8, (76.6 - 30.8) / 17);

function card(cs: Charset, parts: TextLine[]) {
  const pitch = cardPitch(parts);
  for (const l of parts) l.pitch = pitch;
  return groupRows(parts);
}

describe('front labels keep the card order', () => {
  /** a row whose characters are `text`, one per character (positions unused here) */
  const textRow = (text: string, v: number): Row => ({ lines: [], v, h: 10, chars: [...text].map((char, i) => ({ char, cls: 1, prob: 0.9, t0: 2 * i, t1: 2 * i, line: 0 })), text });

  it('does not take 出生 from the name row whose 姓 was read as 生', () => {
    const at = locateFrontLabels(['生名：易宇心', '女钢', '年1977年1月1日', '址北京市', '公民身价号码110107197701017743'].map(textRow));
    assert.equal(at['姓名']?.row, 0);
    assert.equal(at['住址']?.row, 3);
    assert.equal(at['出生'], undefined, '出生 is not on the name row');
  });

  it('still takes a label from one character where it keeps the order', () => {
    const at = locateFrontLabels(['姓名易宇心', '性别女民族汉', '生1977年1月1日', '址北京市'].map(textRow));
    assert.equal(at['出生']?.row, 2);
    assert.equal(at['住址']?.row, 3);
  });
});

describe('values by the layout when their labels are unreadable', () => {
  // 0085 of the bench set: a low-resolution photo where 性别, 民族 and 出生 were not read
  const id = '110107197701017743';
  const text = '生名易宇心女锡伯年1977月1日址北京市石景山区东方小区28栋304号公民身价号码' + id;
  const cs = charsetOf(text);
  const lines = () => [
    line(cs, 9.6, [['生', 7.5, 0.41], ['名', 12.5, 0.69], ...run('易宇心', 18.7, 3.8)]),
    line(cs, 16.2, [['女', 18.4, 0.71], ['锡', 40.6], ['伯', 43.8]]),
    line(cs, 22.8, [['年', 12.5, 0.51], ...run('1977', 17.5, 1.8), ['年', 27.5], ['1', 31.4], ['月', 35.5], ['1', 39.6], ['日', 43.7]]),
    line(cs, 29.4, [['址', 12.5, 0.87], ...run('北京市石景山区东方小区', 18.4, 3.2)]),
    line(cs, 34.0, run('28栋304号', 18.4, 2.2)),
    line(cs, 46.6, [...run('公民身价号码', 7, 2.7)]),
    line(cs, 46.6, number(id)),
  ];

  it('reads the birthday from the row between the sex and the address', async () => {
    const f = await parseFront(card(cs, lines()), cs);
    assert.equal(f.birthday.value, '19770101');
    assert.equal(f.idCard.value, id);
  });

  it('reads the sex in the value column and the nation where the card prints it', async () => {
    const f = await parseFront(card(cs, lines()), cs);
    assert.equal(f.sex.value, '女');
    assert.equal(f.nation.value, '锡伯');
    assert.ok(f.nation.confidence < 0.9, 'a nation placed by the layout alone is not reported as sure');
  });

  it('reads no nation by position without a number to measure the card by', async () => {
    const rows = card(cs, lines().slice(0, 5));
    const f = await parseFront(rows, cs);
    assert.equal(f.nation.value, '');
  });
});

describe('closed lists and characters outside the dictionary', () => {
  it('takes 么 read where 仫 of 仫佬 stands for that character, not for 仡', () => {
    const cs = charsetOf('么亿佬', '仫');
    // 么 read, with 仡 a distant runner-up: the card says 仫佬
    const l = line(cs, 16.2, [['么', 40.6, 0.5], ['佬', 43.8]], { 么: [['仡', 0.01]] });
    const pick = chooseFromList([{ line: l, from: 0, to: l.probs.steps }], cs, NATIONS);
    assert.equal(pick.value, '仫佬');
    // 亿 read (a misread of 仡): 仡佬, never 仫佬
    const l2 = line(cs, 16.2, [['亿', 40.6, 0.5], ['佬', 43.8]], { 亿: [['仡', 0.01]] });
    assert.equal(chooseFromList([{ line: l2, from: 0, to: l2.probs.steps }], cs, NATIONS).value, '仡佬');
  });
});
