// The region list correcting the start of an address read: only doubtful characters change,
// only to a region chain of GB/T 2260, and never by guessing between two chains.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chainsOfCode, correctRegionStart, regionChains, type ReadChar } from '../../src/recognition/address-regions.ts';

/** every character read with `prob`, except those listed with their own */
function read(text: string, prob = 0.99, own: Record<number, number> = {}): ReadChar[] {
  return [...text].map((char, i) => ({ char, prob: own[i] ?? prob }));
}
const everything = () => true;

describe('address region correction', () => {
  it('knows the chains of every level, with prefectures that are not cities', () => {
    const chains = new Set(regionChains());
    assert.ok(chains.has('云南省楚雄彝族自治州楚雄市'));
    assert.ok(chains.has('内蒙古自治区锡林郭勒盟正蓝旗'));
    assert.ok(chains.has('北京市朝阳区'), 'a municipality prints no 市辖区');
    assert.ok(chains.has('广东省东莞市'), 'a city without counties');
    assert.ok(![...chains].some((c) => c.includes('市辖区')));
  });

  it('replaces a doubtful look-alike inside a region name', () => {
    const text = '云南省楚雄异族自治州楚雄市幸福小区1栋302号';
    const fix = correctRegionStart(read(text, 0.99, { 5: 0.17 }), everything);
    assert.equal(fix?.value, '云南省楚雄彝族自治州楚雄市幸福小区1栋302号');
    assert.equal(fix?.edits, 1);
  });

  it('never overrules a character read with confidence', () => {
    const text = '云南省楚雄异族自治州楚雄市幸福小区1栋302号';
    assert.equal(correctRegionStart(read(text, 0.99), everything), undefined);
  });

  it('leaves a start that already is a region chain alone', () => {
    assert.equal(correctRegionStart(read('贵州省铜仁市松桃苗族自治县蓼皋镇1号', 0.5), everything), undefined);
  });

  it('drops a doubtful speck read before the province', () => {
    const fix = correctRegionStart(read('片甘肃省武威市民勤县永安乡杨树村3号', 0.99, { 0: 0.6 }), everything);
    assert.equal(fix?.value, '甘肃省武威市民勤县永安乡杨树村3号');
  });

  it('puts back a character the model cannot produce, and only such a one', () => {
    const text = '内蒙古自治区巴彦淖尔市口县大河镇前进村1组379号';
    const cannot = (ch: string) => ch !== '磴';
    assert.equal(correctRegionStart(read(text), cannot)?.value, '内蒙古自治区巴彦淖尔市磴口县大河镇前进村1组379号');
    assert.equal(correctRegionStart(read(text), everything), undefined, 'a character it can produce was not on the card');
  });

  it('prints the chains of an ID number region code', () => {
    // the table holds a code under the name of its latest row: 5222 was 铜仁地区
    assert.deepEqual(chainsOfCode('522229'), ['贵州省铜仁地区松桃苗族自治县', '贵州省松桃苗族自治县']);
    assert.deepEqual(chainsOfCode('520628'), ['贵州省铜仁市松桃苗族自治县', '贵州省松桃苗族自治县']);
    assert.deepEqual(chainsOfCode('12345'), []);
    assert.deepEqual(chainsOfCode('999999'), []);
  });

  it('does not guess between two equally near chains', () => {
    // two real county chains that differ in one character, that character read as neither
    const chains = regionChains();
    const pair = findPair(chains);
    assert.ok(pair, 'the table has chains differing in one character');
    const [a, b] = pair;
    const i = [...a].findIndex((ch, k) => ch !== [...b][k]);
    const garbled = [...a];
    garbled[i] = '丶';
    const text = garbled.join('') + '幸福路1号';
    assert.equal(correctRegionStart(read(text, 0.99, { [i]: 0.2 }), everything), undefined);
    assert.equal(correctRegionStart(read(text, 0.99, { [i]: 0.2 }), everything, [b])?.value, b + '幸福路1号');
  });

  it('corrects a municipality\'s district, a short chain, only where the card\'s number names it', () => {
    // 0083 of seed 89: 涪 read 培 at 0.27; the number 500102… names 重庆市涪陵区
    const text = '重庆市培陵区滨江路348号26栋1单元3006室';
    assert.equal(correctRegionStart(read(text, 0.99, { 3: 0.27 }), everything), undefined, 'six characters less an edit is too little alone');
    const fix = correctRegionStart(read(text, 0.99, { 3: 0.27 }), everything, chainsOfCode('500102'));
    assert.equal(fix?.value, '重庆市涪陵区滨江路348号26栋1单元3006室');
    // nor a confidently read character, nor two edits
    assert.equal(correctRegionStart(read(text), everything, chainsOfCode('500102')), undefined);
    assert.equal(correctRegionStart(read('重庆市培棱区滨江路1号', 0.99, { 3: 0.27, 4: 0.3 }), everything, chainsOfCode('500102')), undefined);
  });
});

function findPair(chains: string[]): [string, string] | undefined {
  const byShape = new Map<string, string>();
  for (const c of chains) {
    const cs = [...c];
    if (cs.length < 8) continue;
    for (let i = 3; i < cs.length; i++) {
      const key = cs.slice(0, i).join('') + '?' + cs.slice(i + 1).join('');
      const other = byShape.get(key);
      if (other && other !== c && !chains.some((x) => x !== c && x !== other && x.length > c.length && (x.startsWith(c) || x.startsWith(other)))) return [other, c];
      byShape.set(key, c);
    }
  }
  return undefined;
}

describe('address region look-alikes read with confidence', () => {
  it('puts right a county name one stroke off, after an exact province and prefecture', () => {
    const fix = correctRegionStart(read('江苏省南京市漂水区新华街303号'), everything);
    assert.equal(fix?.value, '江苏省南京市溧水区新华街303号');
    assert.equal(correctRegionStart(read('山西省阳泉市孟县龙泉镇红旗村9组204号'), everything)?.value, '山西省阳泉市盂县龙泉镇红旗村9组204号');
  });

  it('never changes the county suffix, nor a county the list knows', () => {
    // 米林县 became 米林市 in 2015: a card may print either
    assert.equal(correctRegionStart(read('西藏自治区林芝市米林市米林镇1号'), everything), undefined);
    assert.equal(correctRegionStart(read('江苏省南京市溧水区新华街303号'), everything), undefined);
  });
});

describe('address region correction with characters outside the BMP', () => {
  it('keeps the rest of the address whole after a corrected start', () => {
    // a doubtful speck read as a character of two UTF-16 units, before the province
    const fix = correctRegionStart(read('𠮷甘肃省武威市民勤县永安乡杨树村3号', 0.99, { 0: 0.5 }), everything);
    assert.equal(fix?.value, '甘肃省武威市民勤县永安乡杨树村3号');
  });
});

describe('a confident misread in a region the number names', () => {
  // 内蒙古 read 内家古 with confidence, 察 read 滨 with doubt; the number says 150902
  const text = '内家古自治区乌兰滨布市集宁区绿洲小区40栋305号';
  const doubt = { 8: 0.14 };

  it("is put right by the number's own chain, and only one such character", () => {
    const fix = correctRegionStart(read(text, 0.99, doubt), everything, chainsOfCode('150902'));
    assert.equal(fix?.value, '内蒙古自治区乌兰察布市集宁区绿洲小区40栋305号');
    assert.equal(fix?.overruled, 1);
    // two confident characters off: left as read
    assert.equal(correctRegionStart(read('内家古自治区鸟兰滨布市集宁区绿洲小区', 0.99, doubt), everything, chainsOfCode('150902')), undefined);
  });

  it('is left as read without the number, or when the number names another region', () => {
    assert.equal(correctRegionStart(read(text, 0.99, doubt), everything), undefined);
    assert.equal(correctRegionStart(read(text, 0.99, doubt), everything, chainsOfCode('110105')), undefined);
  });
});
