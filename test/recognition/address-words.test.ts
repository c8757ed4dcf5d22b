// Words of an address after its region, corrected by what they must be: the town after the
// county from the list of the country's towns, the unit after a number. Only a doubtful
// character changes, only to one the model also saw there, only where the read is no such word.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { correctTown, isKnownTown } from '../../src/recognition/address-towns.ts';
import { correctUnits } from '../../src/recognition/address-units.ts';
import { regionPrefixLength, regionStart } from '../../src/recognition/address-regions.ts';
import type { DecodedChar } from '../../src/recognition/ocr/ctc.ts';
import type { Charset } from '../../src/recognition/lines.ts';

const text = '甘肃省庆阳市庆城县黄士土镇乡上坪村6组号凤凰层风街道石山寺0123单元室全期';
const charset = ['', ...new Set(text), ' '];
const cs: Charset = { charset, classOf: new Map(charset.map((c, i) => [c, i])) };

/** Read characters one step each: `read` as printed by the model, with `seen` giving what else
 *  it saw at a position (index → { character: probability }) and `probs` the read's own. */
function readChars(read: string, probs: Record<number, number> = {}, seen: Record<number, Record<string, number>> = {}): DecodedChar[] {
  const chars = [...read];
  const classes = charset.length;
  const source = { probs: new Float32Array(chars.length * classes), steps: chars.length, classes };
  return chars.map((char, t) => {
    const prob = probs[t] ?? 0.99;
    const cls = cs.classOf.get(char)!;
    source.probs[t * classes + cls] = prob;
    for (const [ch, p] of Object.entries(seen[t] ?? {})) source.probs[t * classes + cs.classOf.get(ch)!] = p;
    return { char, cls, prob, t0: t, t1: t, source };
  });
}

const COUNTY = '甘肃省庆阳市庆城县';
const at = [...COUNTY].length;

describe('town names from the list of towns', () => {
  it('holds the towns an address names, not their misreads', () => {
    assert.equal(isKnownTown('黄土'), true);
    assert.equal(isKnownTown('凤凰'), true);
    assert.equal(isKnownTown('黄士'), false);
    assert.equal(regionPrefixLength(`${COUNTY}黄土镇`), at);
    assert.equal(regionPrefixLength('没有地区'), 0);
  });

  it('finds the region after unsure marks that are not the address\'s, and its end', () => {
    const can = () => true;
    // three marks: one more than the region's correction absorbs as edits, so the first is
    // the lead and the correction takes the other two (its end counts them)
    const three = regionStart(readChars(`士山寺${COUNTY}黄土镇`, { 0: 0.5, 1: 0.4, 2: 0.6 }), can);
    assert.equal(three.lead, 1);
    assert.equal(three.fix?.value, `${COUNTY}黄土镇`);
    assert.equal(three.end, at + 2);
    assert.deepEqual(regionStart(readChars(`${COUNTY}黄土镇`), can), { lead: 0, end: at });
    // sure marks are the address's own: no lead, and no region
    assert.deepEqual(regionStart(readChars(`士山寺${COUNTY}黄土镇`), can), { lead: 0, end: 0 });
  });

  it('corrects a doubtful character to the one the model also saw, where that makes a town', () => {
    const read = readChars(`${COUNTY}黄士镇上坪村6组`, { [at + 1]: 0.6 }, { [at + 1]: { 土: 0.3 } });
    assert.deepEqual(correctTown(read, at, cs), { at, read: '黄士', town: '黄土' });
    // before 街道 too
    const street = readChars(`${COUNTY}凤层街道`, { [at + 1]: 0.5 }, { [at + 1]: { 凰: 0.3 } });
    assert.equal(correctTown(street, at, cs)?.town, '凤凰');
    // a name of two characters changes in one at most: two would let any town through
    const two = readChars(`${COUNTY}风层街道`, { [at]: 0.7, [at + 1]: 0.5 }, { [at]: { 凤: 0.2 }, [at + 1]: { 凰: 0.3 } });
    assert.equal(correctTown(two, at, cs), undefined);
  });

  it('corrects a suffix read as something else after a town the list holds', () => {
    const read = readChars(`${COUNTY}黄土单上坪村`, { [at + 2]: 0.4 }, { [at + 2]: { 镇: 0.15 } });
    assert.deepEqual(correctTown(read, at, cs), { at, read: '黄土单', town: '黄土镇' });
    // not where the model did not see a suffix there, nor after a name that is no town
    assert.equal(correctTown(readChars(`${COUNTY}黄土单上坪村`, { [at + 2]: 0.4 }), at, cs), undefined);
    assert.equal(correctTown(readChars(`${COUNTY}黄山寺单上`, { [at + 3]: 0.4 }, { [at + 3]: { 镇: 0.3 } }), at, cs), undefined);
  });

  it('leaves a sure read, a known town, a read without suffix and a look-alike the model did not see', () => {
    const sure = readChars(`${COUNTY}黄士镇`, {}, { [at + 1]: { 土: 0.3 } });
    assert.equal(correctTown(sure, at, cs), undefined);
    const known = readChars(`${COUNTY}黄土镇`, { [at + 1]: 0.5 }, { [at + 1]: { 士: 0.4 } });
    assert.equal(correctTown(known, at, cs), undefined);
    const noSuffix = readChars(`${COUNTY}黄士上坪村`, { [at + 1]: 0.6 }, { [at + 1]: { 土: 0.3 } });
    assert.equal(correctTown(noSuffix, at, cs), undefined);
    // 土 at less than a third of 士's probability is not seen well enough: a town the list does
    // not hold, read right, gives its look-alike in the list that much (石硚 read 0.70, 桥 0.12)
    const unseen = readChars(`${COUNTY}黄士镇`, { [at + 1]: 0.6 }, { [at + 1]: { 土: 0.15 } });
    assert.equal(correctTown(unseen, at, cs), undefined);
    assert.equal(correctTown(readChars(''), 0, cs), undefined);
  });
});

describe('the unit after a number', () => {
  it('turns a doubtful non-unit after a digit into the unit the model also saw there', () => {
    const read = readChars('4单元3103全', { 7: 0.25 }, { 7: { 室: 0.014 } });
    assert.deepEqual(correctUnits(read, cs), { chars: [...'4单元3103室'], changed: 1 });
  });

  it('leaves a unit, a sure read, a character not after a digit, and one no unit was seen for', () => {
    // 期 is a unit itself (二期), whatever else the model saw
    assert.equal(correctUnits(readChars('11期', { 2: 0.36 }, { 2: { 组: 0.04 } }), cs).changed, 0);
    assert.equal(correctUnits(readChars('3103全', {}, { 4: { 室: 0.3 } }), cs).changed, 0);
    assert.equal(correctUnits(readChars('山全', { 1: 0.3 }, { 1: { 室: 0.3 } }), cs).changed, 0);
    assert.equal(correctUnits(readChars('3103全', { 4: 0.6 }, { 4: { 室: 0.01 } }), cs).changed, 0);
    assert.deepEqual(correctUnits(readChars(''), cs), { chars: [], changed: 0 });
  });
});
