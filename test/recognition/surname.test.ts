// A name's first character read unsure as something no one is called gives way to the surname
// the model also saw there; a sure read, or a common surname, stays as it was read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { preferSurname } from '../../src/recognition/surname.ts';
import { greedyDecode } from '../../src/recognition/ocr/ctc.ts';
import type { Charset, Span } from '../../src/recognition/lines.ts';
import { surnameShare } from '../../src/idcard/index.ts';

const charset = ['', '荷', '苟', '兰', '佳', '新', '靳', '幕', '慕', '容', '语', '王', '玉', '余', '佘', '皇', '甫', '玥', ' '];
const cs: Charset = { charset, classOf: new Map(charset.map((c, i) => [c, i])) };

/** One step per character, each followed by a blank step; `p` maps class → probability at
 *  that character's step (the rest of the mass on blank). */
function spanOf(...steps: Record<string, number>[]): Span {
  const classes = charset.length;
  const n = steps.length * 2;
  const probs = new Float32Array(n * classes);
  steps.forEach((p, i) => {
    const t = 2 * i;
    let rest = 1;
    for (const [ch, q] of Object.entries(p)) { probs[t * classes + cs.classOf.get(ch)!] = q; rest -= q; }
    probs[t * classes] = Math.max(0, rest);
    probs[(t + 1) * classes] = 1;
  });
  const lp = { probs, steps: n, classes };
  const line = { box: { cx: 0, cy: 0, w: 100, h: 20, angle: 0, u: 0, v: 0, score: 1 }, probs: lp, text: greedyDecode(lp, charset) };
  return { line, from: 0, to: n } as unknown as Span;
}
const field = (value: string, confidence = 0.6) => ({ value, confidence });

describe('a name starts with a surname', () => {
  it('ranks common surnames far above characters no one is called', () => {
    assert.ok(surnameShare('王') > 0.05);
    assert.ok(surnameShare('苟') > 100 * surnameShare('荷'));
    assert.ok(surnameShare('慕容') > 100 * surnameShare('幕容'));
    // 百家姓's rare ones are real, so above the floor
    assert.ok(surnameShare('终') > surnameShare('奥'));
  });

  it('replaces an unsure first character that is no surname by the surname the model also saw', () => {
    const span = spanOf({ 荷: 0.55, 苟: 0.3 }, { 兰: 0.99 }, { 佳: 0.99 });
    const out = preferSurname(field('荷兰佳'), [span], cs);
    assert.equal(out.value, '苟兰佳');
    assert.ok(out.confidence < 0.9, 'a value the prior chose stays doubtful');
  });

  it('counts a compound surname where the read holds its second character', () => {
    const span = spanOf({ 幕: 0.5, 慕: 0.2 }, { 容: 0.99 }, { 语: 0.99 });
    assert.equal(preferSurname(field('幕容语'), [span], cs).value, '慕容语');
  });

  it('keeps a sure read whatever it is, and an unsure one the model gives far more than any surname', () => {
    const sure = spanOf({ 荷: 0.95, 苟: 0.04 }, { 兰: 0.99 });
    assert.deepEqual(preferSurname(field('荷兰', 0.95), [sure], cs), field('荷兰', 0.95));
    const clear = spanOf({ 荷: 0.85, 苟: 0.001 }, { 兰: 0.99 });
    assert.equal(preferSurname(field('荷兰'), [clear], cs).value, '荷兰');
  });

  it('takes the surname the model reads as another where it leaves it what only its own ink gets', () => {
    // 0062 of seed 53: a 佘 read 余 at 0.72 with 佘 at 0.27; the model reads no 佘 as 佘 at all
    const hidden = preferSurname(field('余兰', 0.72), [spanOf({ 余: 0.72, 佘: 0.27 }, { 兰: 0.99 })], cs);
    assert.equal(hidden.value, '佘兰');
    assert.ok(hidden.confidence < 0.9);
    // however sure of 余 (a small sharp render: 余 0.94, 佘 0.054)
    assert.equal(preferSurname(field('余兰', 0.94), [spanOf({ 余: 0.94, 佘: 0.054 }, { 兰: 0.99 })], cs).value, '佘兰');
    // a 余 leaves 佘 a thousandth at most (0202 of seed 37: 余 0.81, 佘 0.0013)
    assert.equal(preferSurname(field('余兰', 0.81), [spanOf({ 余: 0.81, 佘: 0.0013 }, { 兰: 0.99 })], cs).value, '余兰');
    assert.equal(preferSurname(field('余兰', 0.99), [spanOf({ 余: 0.99 }, { 兰: 0.99 })], cs).value, '余兰');
    // a pair the renders did not show stays as read
    assert.equal(preferSurname(field('王兰', 0.8), [spanOf({ 王: 0.8, 玉: 0.19 }, { 兰: 0.99 })], cs).value, '王兰');
  });

  it('drops a faint mark read before a compound surname, not a character read surely', () => {
    // 0117 of seed 23: the label's ink read 容 (at 0.04) before 皇甫玥
    const faint = preferSurname(field('容皇甫玥', 0.3), [spanOf({ 容: 0.3, 荷: 0.25, 苟: 0.25 }, { 皇: 0.87 }, { 甫: 0.51 }, { 玥: 0.89 })], cs);
    assert.equal(faint.value, '皇甫玥');
    assert.equal(preferSurname(field('容皇甫玥', 0.8), [spanOf({ 容: 0.8 }, { 皇: 0.87 }, { 甫: 0.51 }, { 玥: 0.89 })], cs).value, '容皇甫玥');
    // a single surname after the mark is not enough to tell it from a name's first character
    assert.equal(preferSurname(field('容王兰', 0.3), [spanOf({ 容: 0.3, 荷: 0.25, 苟: 0.25 }, { 王: 0.9 }, { 兰: 0.9 })], cs).value, '容王兰');
  });

  it('keeps a read surname of the ranking against a commoner look-alike, and leaves empty and one-character names alone', () => {
    const span = spanOf({ 王: 0.5, 玉: 0.45 }, { 兰: 0.99 });
    assert.equal(preferSurname(field('王兰'), [span], cs).value, '王兰');
    // 苟 (rank ~250) read unsure with 王 (rank 1) close behind stays 苟
    assert.equal(preferSurname(field('苟兰'), [spanOf({ 苟: 0.4, 王: 0.35 }, { 兰: 0.99 })], cs).value, '苟兰');
    assert.deepEqual(preferSurname(field(''), [span], cs), field(''));
    assert.deepEqual(preferSurname(field('王'), [span], cs), field('王'));
    assert.deepEqual(preferSurname(field('王兰'), [], cs), field('王兰'));
  });
});
