import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidChineseName, normaliseName } from '../../src/idcard/index.ts';

test('plain Chinese names of 2 to 15 characters', () => {
  for (const name of ['张三', '欧阳娜娜', '诸葛孔明', '张'.repeat(15)]) assert.equal(isValidChineseName(name), true, name);
  for (const name of ['张', '张'.repeat(16), '']) assert.equal(isValidChineseName(name), false, name);
});

test('rare characters: extension A and B and on', () => {
  assert.equal(isValidChineseName('王㛃'), true); // U+36C3, extension A
  assert.equal(isValidChineseName('吉𠮷'), true); // U+20BB7, extension B
  assert.equal(isValidChineseName('𠮷𠮷'), true);
  assert.equal(isValidChineseName('𠮷'), false); // one character, two UTF-16 units
  assert.equal(isValidChineseName('陈\u{31350}'), true); // extension H
});

test('minority names with · between parts', () => {
  assert.equal(isValidChineseName('买买提·吐尔逊'), true);
  assert.equal(isValidChineseName('阿依古丽·买买提·艾力'), true);
  assert.equal(isValidChineseName('·买买提'), false);
  assert.equal(isValidChineseName('买买提·'), false);
  assert.equal(isValidChineseName('买买提··吐尔逊'), false);
  assert.equal(isValidChineseName('·'), false);
  assert.equal(isValidChineseName('张·三'), true);
  // 15 characters plus dots is fine, 16 is not
  assert.equal(isValidChineseName('一二三四五·六七八九十·甲乙丙丁戊'), true);
  assert.equal(isValidChineseName('一二三四五·六七八九十·甲乙丙丁戊己'), false);
});

test('look-alike dots are accepted and normalised to U+00B7', () => {
  for (const dot of ['\u2022', '\u30FB', '\uFF0E', '\u00B7']) {
    const name = `买买提${dot}吐尔逊`;
    assert.equal(isValidChineseName(name), true, name);
    assert.equal(normaliseName(name), '买买提\u00B7吐尔逊');
  }
  assert.equal(isValidChineseName('买买提.吐尔逊'), false); // ASCII full stop is not a name dot
  assert.equal(isValidChineseName('买买提-吐尔逊'), false);
});

test('normaliseName trims white space, also the ideographic space', () => {
  assert.equal(normaliseName('  张三\u3000\n'), '张三');
  assert.equal(normaliseName('\uFEFF张三'), '张三'); // a byte-order mark is white space too
  assert.equal(isValidChineseName(' 张三 '), true);
  assert.equal(isValidChineseName('张 三'), false);
  assert.equal(normaliseName(undefined as unknown as string), '');
});

test('Latin letters, digits and punctuation are not Chinese names', () => {
  for (const name of ['Zhang San', 'zhangsan', '张三a', '张三1', '张三３', '张三！', '张三。', '〇〇', 'ＡＢ', '张_三']) {
    assert.equal(isValidChineseName(name), false, name);
  }
});

test('hostile input is refused quickly', () => {
  assert.equal(isValidChineseName('张'.repeat(1_000_000)), false);
  assert.equal(isValidChineseName('张·'.repeat(100_000)), false);
  for (const name of ['张\u0000三', '张\u202E三', '张\u200B三', '张三\u0007', '张😀', '😀😀', '张\uD800']) {
    assert.equal(isValidChineseName(name), false, JSON.stringify(name));
  }
  for (const value of [null, undefined, 42, {}, ['张三']]) {
    assert.equal(isValidChineseName(value as unknown as string), false);
  }
});
