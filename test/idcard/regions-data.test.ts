// The committed region table must be exactly what `npm run build:regions` makes from the
// installed packages, and well-formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, mergeSources, PROVINCE_CODES } from '../../tools/build-regions/build.ts';
import { gb2260, idcard, idValidator, provinceCityChina } from '../../tools/build-regions/sources.ts';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/idcard/regions-data.json');

test('regions-data.json is reproducible from the npm packages', () => {
  const rebuilt = formatTable(mergeSources([provinceCityChina(), gb2260(), idValidator(), idcard()]));
  assert.ok(rebuilt === fs.readFileSync(file, 'utf8'), 'run `npm run build:regions` and commit the result');
});

test('regions-data.json is well-formed', () => {
  const table = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    provinces: Record<string, string>;
    prefectures: Record<string, string>;
    counties: Record<string, string>;
  };
  assert.deepEqual(Object.keys(table.provinces).sort(), [...PROVINCE_CODES].sort());
  const name = /^[\p{Unified_Ideograph}、]+$/u;
  for (const [code, n] of Object.entries(table.prefectures)) {
    assert.match(code, /^[0-9]{4}$/);
    assert.ok(table.provinces[code.slice(0, 2)], code);
    assert.match(n, name, code);
  }
  for (const [code, n] of Object.entries(table.counties)) {
    assert.match(code, /^[0-9]{4}(0[1-9]|[1-9][0-9])$/);
    assert.ok(table.provinces[code.slice(0, 2)], code);
    assert.match(n, name, code);
  }
  assert.ok(Object.keys(table.counties).length > 6000);
});

test('mergeSources: the first source that knows a code names it; codes sort into levels', () => {
  const t = mergeSources([
    { id: 'a@1', names: new Map([['522229', '松桃苗族自治县'], ['520000', '贵州省']]) },
    { id: 'b@1', names: new Map([['522229', '松桃县'], ['522200', '铜仁地区'], ['990101', '无']]) },
  ]);
  assert.deepEqual(t.sources, ['a@1', 'b@1']);
  assert.deepEqual(t.provinces, { '52': '贵州省' });
  assert.deepEqual(t.prefectures, { '5222': '铜仁地区' });
  assert.deepEqual(t.counties, { '522229': '松桃苗族自治县' });
});
