import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDigitOf, NATIONS, nationCode, nationOf } from '../../src/idcard/index.ts';

test('checkDigitOf computes ISO 7064 MOD 11-2', () => {
  assert.equal(checkDigitOf('52222919850911201'), '8'); // the seed's sample
  assert.equal(checkDigitOf('11010519491231002'), 'X'); // GB 11643 standard example
  assert.equal(checkDigitOf('44052418800101001'), '4'); // GB 11643 standard example
  assert.equal(checkDigitOf('00000000000000000'), '1');
});

test('checkDigitOf rejects anything but 17 digits', () => {
  assert.throws(() => checkDigitOf('1234'), TypeError);
  assert.throws(() => checkDigitOf('5222291985091120A'), TypeError);
  assert.throws(() => checkDigitOf('522229198509112018'), TypeError);
  assert.throws(() => checkDigitOf('５２２２２９１９８５０９１１２０１'), TypeError);
});

test('NATIONS holds the 56 nationalities in GB 3304 order', () => {
  assert.equal(NATIONS.length, 56);
  assert.equal(new Set(NATIONS).size, 56);
  assert.equal(NATIONS[0], '汉');
  assert.equal(NATIONS[5], '苗');
  assert.equal(NATIONS[29], '土');
  assert.equal(NATIONS[55], '基诺');
  for (const n of NATIONS) assert.ok(!n.endsWith('族'), n);
  assert.ok(Object.isFrozen(NATIONS));
});

test('nationOf reads a card 民族 field; nationCode gives the GB 3304 code', () => {
  assert.equal(nationOf('汉'), '汉');
  assert.equal(nationOf('汉族'), '汉');
  assert.equal(nationOf(' 维吾尔族 '), '维吾尔');
  assert.equal(nationOf('土家'), '土家');
  assert.equal(nationOf('土'), '土');
  assert.equal(nationOf('族'), undefined);
  assert.equal(nationOf('汉族族'), undefined);
  assert.equal(nationOf('火星'), undefined);
  assert.equal(nationOf(''), undefined);
  assert.equal(nationOf('汉'.repeat(10000)), undefined);
  assert.equal(nationCode('汉'), 1);
  assert.equal(nationCode('苗'), 6);
  assert.equal(nationCode('基诺'), 56);
  assert.equal(nationCode('汉族'), undefined);
});
