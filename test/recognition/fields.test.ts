// The field rules on hand-made recogniser output: CTC decoding, closed lists, the ID number
// chosen by its check digit among the model's own alternatives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constrainedDecode, ctcLogLikelihood, greedyDecode, WILDCARD, type LineProbs } from '../../src/recognition/ocr/ctc.ts';
import { chooseFromList, chooseIdNumber, parseBirthday } from '../../src/recognition/fields.ts';
import { NATIONS } from '../../src/idcard/index.ts';
import type { Span } from '../../src/recognition/lines.ts';
import { parseValidity } from '../../src/recognition/back.ts';

const charset = ['', '0', '1', '7', 'X', 'a', ' '];
/** one step per entry: [class, probability] with the rest of the mass on blank */
function probs(steps: [number, number][]): LineProbs {
  const classes = charset.length;
  const p = new Float32Array(steps.length * classes);
  steps.forEach(([c, q], t) => {
    p[t * classes + c] = q;
    p[t * classes] += 1 - q;
  });
  return { probs: p, steps: steps.length, classes };
}

describe('CTC decoding', () => {
  it('collapses repeats, drops blanks, keeps doubled characters split by a blank', () => {
    const l = probs([[2, 0.9], [2, 0.8], [0, 1], [2, 0.9], [3, 0.7]]);
    const d = greedyDecode(l, charset);
    assert.equal(d.text, '117');
    assert.equal(d.chars[0]!.prob.toFixed(1), '0.9');
  });

  it('constrains characters to a subset and keeps runners-up', () => {
    const l = probs([[5, 0.6], [0, 1]]);
    l.probs[0 * 7 + 1] = 0.3; // '0' is the best digit under the 'a'
    l.probs[0] = 0.1;
    const d = constrainedDecode(l, charset, [1, 2, 3, 4]);
    assert.equal(d.text, '0');
    assert.equal(d.chars[0]!.alternatives!.length, 0);
  });

  it('scores a label by the forward algorithm; a wildcard costs its penalty', () => {
    const l = probs([[2, 0.9], [0, 1], [3, 0.9]]);
    const good = ctcLogLikelihood(l, [2, 3]);
    const bad = ctcLogLikelihood(l, [3, 2]);
    assert.ok(good > bad);
    assert.ok(Math.abs(good - Math.log(0.81)) < 0.01);
    const wild = ctcLogLikelihood(l, [WILDCARD, 3], 0, 3, 0.1);
    assert.ok(Math.abs(wild - Math.log(0.081)) < 0.01);
  });
});

describe('field rules', () => {
  const read = (s: string, alts: Record<number, { char: string; prob: number }[]> = {}) => ({
    text: s,
    confidence: 0.9,
    chars: [...s].map((char, i) => ({ char, cls: 0, prob: alts[i] ? 0.6 : 0.99, t0: i, t1: i, alternatives: alts[i] ?? [] })),
  });

  const misread = '11011519491231002X';

  it('keeps a number whose check digit holds', () => {
    const r = chooseIdNumber(read('11010519491231002X'), '19491231');
    assert.equal(r.value, '11010519491231002X');
    assert.ok(r.confidence > 0.9);
  });

  it("fixes a misread digit with the model's own runner-up that satisfies the check digit", () => {
    // the fifth digit read as 1 (truly 0) with 0 as the runner-up
    const r = chooseIdNumber(read(misread, { 4: [{ char: '0', prob: 0.35 }] }), '19491231');
    assert.equal(r.value, '11010519491231002X');
    assert.ok(r.confidence < 0.9);
  });

  it('never invents a digit the model did not offer', () => {
    const r = chooseIdNumber(read(misread), '19491231');
    assert.equal(r.value, misread);
    assert.ok(r.confidence <= 0.3);
  });

  it('normalises dates', () => {
    assert.equal(parseBirthday('1990年1月2日'), '19900102');
    assert.equal(parseBirthday('1990年2月30日'), '');
    assert.equal(parseValidity('2010.03.15-2030.03.15'), '2010.03.15-2030.03.15');
    assert.equal(parseValidity('2010.03.15-长期'), '2010.03.15-长期');
    assert.equal(parseValidity('2010.03.15-2030.13.15'), '');
  });
});

describe('a closed list read through look-alikes', () => {
  const chars = ['', ...new Set([...NATIONS.join(''), '保', '窗']), ' '];
  const lcs = { charset: chars, classOf: new Map(chars.map((c, i) => [c, i] as [string, number]).filter(([c]) => c !== '')) };
  /** one span whose steps read `read`, each character at `p`, blanks between */
  const span = (read: string, p = 0.8) => {
    const classes = chars.length;
    const steps = [...read].length * 2 + 1;
    const probs = new Float32Array(steps * classes);
    for (let t = 0; t < steps; t++) probs[t * classes] = 1;
    [...read].forEach((ch, i) => {
      const t = 2 * i + 1;
      probs[t * classes] = 1 - p;
      probs[t * classes + lcs.classOf.get(ch)!] = p;
    });
    const l = { probs, steps, classes };
    return { line: { box: { cx: 0, cy: 0, w: 10, h: 4, angle: 0, u: 0, v: 0, score: 1 }, probs: l, text: greedyDecode(l, chars) }, from: 0, to: steps } as unknown as Span;
  };
  const alikes = { 傈僳: ['保'], 畲: ['窗'] };

  it('takes the value whose look-alike the model read, where it gives the value itself nothing, doubted', () => {
    const got = chooseFromList([span('保')], lcs, NATIONS, () => 0, alikes);
    assert.equal(got.value, '傈僳');
    assert.ok(got.confidence < 0.9);
    assert.equal(chooseFromList([span('窗')], lcs, NATIONS, () => 0, alikes).value, '畲');
    // without the look-alikes a read of 保 is not 傈僳
    assert.notEqual(chooseFromList([span('保')], lcs, NATIONS, () => 0).value, '傈僳');
  });

  it('keeps a value read itself: 保安 read whole is 保安', () => {
    assert.equal(chooseFromList([span('保安')], lcs, NATIONS, () => 0, alikes).value, '保安');
    assert.equal(chooseFromList([span('傣', 0.6)], lcs, NATIONS, () => 0, alikes).value, '傣');
  });
});
