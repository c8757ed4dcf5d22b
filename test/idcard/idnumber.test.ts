import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkDigitOf,
  checkIdNumber,
  describeIdNumber,
  isRealBirthDate,
  statedByNumber,
  upgradeLegacyIdNumber,
} from '../../src/idcard/index.ts';

const TODAY = new Date('2026-11-29T12:00:00Z');
/** A number with a correct check character for the given first 17 digits. */
const withCheck = (first17: string) => first17 + checkDigitOf(first17);
const reason = (input: unknown, today = TODAY) => {
  const r = checkIdNumber(input, today);
  return r.ok ? 'ok' : r.reason;
};

test('the seed sample is valid and described exactly', () => {
  const r = checkIdNumber('522229198509112018', TODAY);
  assert.ok(r.ok);
  assert.equal(r.idNumber, '522229198509112018');
  assert.equal(r.birthday, '1985-09-11');
  assert.equal(r.sex, '男');
  assert.equal(r.addrCode, '522229');
  assert.equal(r.lastCode, '8');
  assert.deepEqual(r.region, {
    province: '贵州省', city: '', prefecture: '松桃苗族自治县', area: '贵州省松桃苗族自治县', known: true,
  });
});

test('X check character, upper or lower case, normalised to upper', () => {
  for (const input of ['11010519491231002X', '11010519491231002x', ' 11010519491231002x\n']) {
    const r = checkIdNumber(input, TODAY);
    assert.ok(r.ok, input);
    assert.equal(r.idNumber, '11010519491231002X');
    assert.equal(r.lastCode, 'X');
    assert.equal(r.sex, '女'); // 17th digit 2
    assert.equal(r.birthday, '1949-12-31');
  }
});

test('sex comes from the 17th digit: odd is 男, even is 女', () => {
  for (let d = 0; d <= 9; d++) {
    const r = checkIdNumber(withCheck(`5222291985091120${d}`), TODAY);
    assert.ok(r.ok);
    assert.equal(r.sex, d % 2 === 1 ? '男' : '女');
  }
});

test('reason length: too short, too long, empty, 15-digit legacy, hostile lengths', () => {
  assert.equal(reason('52222919850911201'), 'length');
  assert.equal(reason('5222291985091120188'), 'length');
  assert.equal(reason(''), 'length');
  assert.equal(reason('   '), 'length');
  assert.equal(reason('522229850911201'), 'length');
  assert.equal(reason('5'.repeat(1_000_000)), 'length');
  assert.equal(reason(undefined), 'length');
  assert.equal(reason(522229198509112018), 'length');
});

test('reason characters: letters, inner X, full-width digits, control characters, emoji', () => {
  assert.equal(reason('52222919850911201A'), 'characters');
  assert.equal(reason('5222291985091120X8'), 'characters');
  assert.equal(reason('X22229198509112018'), 'characters');
  assert.equal(reason('５２２２２９１９８５０９１１２０１８'), 'characters');
  assert.equal(reason('5222291985\u00000911201'), 'characters');
  assert.equal(reason('52222919850911😀01'), 'characters');
  assert.equal(reason('522229-19850911-20'), 'characters');
  assert.equal(reason('52222919850911201 '), 'length'); // trimmed to 17
});

test('reason region: first two digits are no province', () => {
  assert.equal(reason(withCheck('99222919850911201')), 'region');
  assert.equal(reason(withCheck('00222919850911201')), 'region');
  assert.equal(reason(withCheck('10222919850911201')), 'region');
  assert.equal(reason(withCheck('83000019850911201')), 'region');
});

test('a county code missing from the table is still a valid number, with known: false', () => {
  const r = checkIdNumber(withCheck('52999919850911201'), TODAY);
  assert.ok(r.ok);
  assert.equal(r.region.known, false);
  assert.equal(r.region.province, '贵州省');
  assert.equal(r.region.prefecture, '');
});

test('reason date: not a real date, before 1900, in the future', () => {
  assert.equal(reason(withCheck('52222919000229201')), 'date'); // 1900 is no leap year
  assert.equal(reason(withCheck('52222920000229201')), 'ok'); // 2000 is
  assert.equal(reason(withCheck('52222919960229201')), 'ok');
  assert.equal(reason(withCheck('52222919970229201')), 'date');
  assert.equal(reason(withCheck('52222919851301201')), 'date');
  assert.equal(reason(withCheck('52222919850001201')), 'date');
  assert.equal(reason(withCheck('52222919850900201')), 'date');
  assert.equal(reason(withCheck('52222919850931201')), 'date');
  assert.equal(reason(withCheck('52222918991231201')), 'date');
  assert.equal(reason('440524188001010014'), 'date'); // GB 11643's own example, born 1880
  assert.equal(reason(withCheck('52222919000101201')), 'ok');
  assert.equal(reason(withCheck('52222920261130201')), 'date'); // tomorrow
  assert.equal(reason(withCheck('52222930000101201')), 'date');
  assert.equal(reason(withCheck('52222920261129201')), 'ok'); // born today
});

test('today is the calendar day in China (UTC+8)', () => {
  const born = withCheck('52222920261130201');
  assert.equal(reason(born, new Date('2026-11-29T15:59:59Z')), 'date');
  assert.equal(reason(born, new Date('2026-11-29T16:00:00Z')), 'ok');
});

test('reason checksum: any other check character', () => {
  for (const last of '0123456789X') {
    if (last === '8') continue;
    assert.equal(reason(`52222919850911201${last}`), 'checksum', last);
  }
  assert.equal(reason('522229198509112081'), 'checksum'); // two digits swapped
});

test('upgradeLegacyIdNumber inserts 19 and computes the check character', () => {
  assert.equal(upgradeLegacyIdNumber('522229850911201'), '522229198509112018');
  assert.equal(upgradeLegacyIdNumber('110105491231002'), '11010519491231002X');
  assert.throws(() => upgradeLegacyIdNumber('52222985091120'), TypeError);
  assert.throws(() => upgradeLegacyIdNumber('52222985091120X'), TypeError);
  assert.throws(() => upgradeLegacyIdNumber('522229198509112018'), TypeError);
});

test('15 digits answer length but expose the upgrade when well-formed', () => {
  assert.deepEqual(checkIdNumber('522229850911201', TODAY), {
    ok: false, reason: 'length', upgraded: '522229198509112018',
  });
  assert.deepEqual(checkIdNumber('522229850230201', TODAY), { ok: false, reason: 'length' }); // 1985-02-30
  assert.deepEqual(checkIdNumber('992229850911201', TODAY), { ok: false, reason: 'length' });
});

test('isRealBirthDate', () => {
  assert.equal(isRealBirthDate('20000229'), true);
  assert.equal(isRealBirthDate('19000229'), false);
  assert.equal(isRealBirthDate('20240229'), true);
  assert.equal(isRealBirthDate('20230229'), false);
  assert.equal(isRealBirthDate('19850431'), false);
  assert.equal(isRealBirthDate('1985091'), false);
  assert.equal(isRealBirthDate('1985-9-1'), false);
});

test('statedByNumber reads birthday and sex without judging; describeIdNumber ignores the date bound', () => {
  assert.deepEqual(statedByNumber('522229198509112018'), { birthday: '19850911', sex: '男' });
  assert.deepEqual(statedByNumber('52222919850911202x'), { birthday: '19850911', sex: '女' });
  assert.deepEqual(statedByNumber('522229850911201'), { birthday: '19850911', sex: '男' });
  assert.equal(statedByNumber('52222919850911'), undefined);
  assert.equal(describeIdNumber('522229198509112019'), undefined);
  assert.equal(describeIdNumber(withCheck('52222930000101201'))?.birthday, '3000-01-01');
});
