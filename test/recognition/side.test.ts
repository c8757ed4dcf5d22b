// Deciding the side from rows read with mistakes: a checked citizen number is a front's own mark.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkedNumberRead } from '../../src/recognition/front.ts';
import { decideSide } from '../../src/recognition/pipeline.ts';
import type { Row } from '../../src/recognition/lines.ts';
import { checkDigitOf } from '../../src/idcard/index.ts';
import { textRow as row } from '../support/rows.ts';

const rows = (...texts: string[]) => texts.map((t, i) => row(t, 20 * i));
const numberOf = (first17: string) => first17 + checkDigitOf(first17);

describe('a checked citizen number read', () => {
  const valid = numberOf('65272219560926933');

  it('counts when the check digit holds and the birth date is a date (X in either case)', () => {
    assert.equal(checkedNumberRead(rows('195共26日', valid)), true);
    const withX = numberOf('11010519491231002');
    assert.equal(withX.endsWith('X'), true, 'the fixture needs an X check digit');
    assert.equal(checkedNumberRead(rows(withX.toLowerCase())), true);
    assert.equal(checkedNumberRead(rows(`公民身份号码 ${valid.slice(0, 9)} ${valid.slice(9)}`)), true);
  });

  it('counts a number with a speck read as a digit beside it, not one inside a longer run', () => {
    // 0532922198808128154: the 0 a box of its own before the number (0045 of seed 37)
    assert.equal(checkedNumberRead(rows('0' + valid)), true);
    assert.equal(checkedNumberRead(rows(valid + '38')), true);
    assert.equal(checkedNumberRead(rows('123' + valid)), false);
    // nor at the start of a longer run, whatever follows it
    assert.equal(checkedNumberRead(rows(valid + '7777777')), false);
  });

  it('counts a number read in a box of its own that the row runs other digits into', () => {
    // 0198 of seed 79: CR999 read in a box beside the number's, the row's text one run of 23
    const boxed = (...texts: string[]): Row => ({ ...row(texts.join(''), 0), lines: texts.map((text) => ({ text: { text } })) as unknown as Row['lines'] });
    assert.equal(checkedNumberRead([boxed('CR999', valid)]), true);
    // a box holding the longer run itself still does not count
    assert.equal(checkedNumberRead([boxed('名', '123' + valid)]), false);
    assert.equal(decideSide([boxed('CR999', valid)]), 'front');
  });

  it('does not count a wrong check digit, an impossible date or 17 digits', () => {
    const wrongDigit = valid.slice(0, 17) + ((Number(valid[17]) + 1) % 10);
    assert.equal(checkedNumberRead(rows(wrongDigit)), false);
    // 1956-02-30 with its own check digit
    assert.equal(checkedNumberRead(rows(numberOf('65272219560230933'))), false);
    assert.equal(checkedNumberRead(rows(valid.slice(0, 17))), false);
    assert.equal(checkedNumberRead(rows('')), false);
    assert.equal(checkedNumberRead(rows('没有号码的一行字')), false);
  });

  it('makes a front of rows whose labels were all unread, and only with the check digit right', () => {
    assert.equal(decideSide(rows('江家在自动州精河县石祯', '195共26日', valid)), 'front');
    const wrongDigit = valid.slice(0, 17) + ((Number(valid[17]) + 1) % 10);
    assert.equal(decideSide(rows('江家在自动州精河县石祯', '195共26日', wrongDigit)), 'none');
  });

  it('leaves a back a back and a page of text no card', () => {
    assert.equal(decideSide(rows('中华人民共和国', '居民身份证', '签发机关北京市公安局', '有效期限2010.01.01-2020.01.01')), 'back');
    assert.equal(decideSide(rows('第一章 总则', '第一条 为了规范管理，制定本办法。', '联系电话 01088886666')), 'none');
  });
});
