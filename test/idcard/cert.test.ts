import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossCheck, deriveCert } from '../../src/idcard/index.ts';

test('the seed sample passes with the seed cert block exactly', () => {
  assert.deepEqual(deriveCert({ idNumber: '522229198509112018', name: '张三', verdict: 'match' }), {
    idCard: '522229198509112018',
    name: '张三',
    sex: '男',
    area: '贵州省松桃苗族自治县',
    province: '贵州省',
    city: '',
    prefecture: '松桃苗族自治县',
    birthday: '1985-09-11',
    addrCode: '522229',
    lastCode: '8',
  });
});

test('every result but a pass leaves all values except idCard and name empty', () => {
  for (const verdict of ['mismatch', 'unknown', 'error', '']) {
    assert.deepEqual(deriveCert({ idNumber: '522229198509112018', name: '张三', verdict }), {
      idCard: '522229198509112018',
      name: '张三',
      sex: '',
      area: '',
      province: '',
      city: '',
      prefecture: '',
      birthday: '',
      addrCode: '',
      lastCode: '',
    }, verdict);
  }
});

test('idCard is normalised (upper-case X), the name too; a malformed number stays as given', () => {
  const c = deriveCert({ idNumber: '11010519491231002x', name: '买买提•吐尔逊', verdict: 'match' });
  assert.equal(c.idCard, '11010519491231002X');
  assert.equal(c.name, '买买提·吐尔逊');
  assert.equal(c.lastCode, 'X');
  assert.equal(c.sex, '女');
  assert.equal(c.city, '北京市');
  assert.equal(c.area, '北京市朝阳区');
  const bad = deriveCert({ idNumber: '52222919850911201', name: '张三', verdict: 'match' });
  assert.equal(bad.idCard, '52222919850911201');
  assert.equal(bad.sex, '');
  assert.equal(bad.birthday, '');
});

test('crossCheck: agreeing card and number give no mismatch', () => {
  assert.deepEqual(crossCheck({ birthday: '19850911', sex: '男', idNumber: '522229198509112018' }), []);
  assert.deepEqual(crossCheck({ birthday: '1985-09-11', sex: ' 男', idNumber: '522229198509112018' }), []);
  assert.deepEqual(crossCheck({ idNumber: '522229198509112018' }), []);
});

test('crossCheck reports an edited birthday and sex', () => {
  assert.deepEqual(crossCheck({ birthday: '19850912', sex: '女', idNumber: '522229198509112018' }), [
    { field: 'birthday', card: '19850912', number: '19850911' },
    { field: 'sex', card: '女', number: '男' },
  ]);
  assert.deepEqual(crossCheck({ birthday: '19850911', sex: '男', idNumber: '11010519491231002x' }), [
    { field: 'birthday', card: '19850911', number: '19491231' },
    { field: 'sex', card: '男', number: '女' },
  ]);
});

test('crossCheck reads a legacy number through its upgrade and ignores unreadable numbers', () => {
  assert.deepEqual(crossCheck({ birthday: '19850911', sex: '男', idNumber: '522229850911201' }), []);
  assert.deepEqual(crossCheck({ birthday: '19850911', sex: '女', idNumber: 'garbage' }), []);
});
