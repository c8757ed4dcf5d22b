// Placing the front's labels in rows read with mistakes: the label rules on hand-made rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locateFrontLabels } from '../../src/recognition/front.ts';
import { findLabel, type Row } from '../../src/recognition/lines.ts';
import { textRow as row } from '../support/rows.ts';

const at = (rows: Row[]) => {
  const found = locateFrontLabels(rows);
  return Object.fromEntries(Object.entries(found).map(([k, l]) => [k, `${l.row}:${rows[l.row]!.chars[l.end]!.char}`]));
};

describe('front labels', () => {
  it('finds every label on a clean card', () => {
    const rows = ['姓名张三', '性别男民族汉', '出生1990年1月2日', '住址北京市朝阳区', '公民身份号码110105199001020011'].map(row);
    assert.deepEqual(at(rows), { 姓名: '0:名', 性别: '1:别', 民族: '1:族', 出生: '2:生', 住址: '3:址', 公民身份号码: '4:码' });
  });

  it('reads 民　族 printed with a full-width space as the label', () => {
    const rows = ['姓名迪丽·塔依尔', '性别女民　族维吾尔', '出生1969年7月17日'].map(row);
    assert.equal(at(rows)['民族'], '1:族');
  });

  it('still finds 民族 after the sex when one of its characters is misread', () => {
    assert.equal(at(['姓名骆晴月', '性别女民旅布依', '出生1952年2月15日'].map(row))['民族'], '1:旅');
    assert.equal(at(['姓名骆晴月', '性别女氏族布依', '出生1952年2月15日'].map(row))['民族'], '1:族');
  });

  it('does not take 出生 from a sex row whose 别 came with a stray 生', () => {
    // 性 | 生别男 | 民族…  then 出 | 生 | 1950年9月18日: the birthday is on the third row
    const rows = ['姓名甘铭哲', '性生别男民族柯尔克孜', '出生1950年9月18日', '住生址四川省乐山市'].map(row);
    const found = at(rows);
    assert.equal(found['出生'], '2:生');
    assert.equal(found['性别']?.startsWith('1:'), true);
    assert.equal(found['住址']?.startsWith('3:'), true);
  });

  it('ends a label read with a character missing inside its own box, not at the value\'s first', () => {
    // 公民身份码 (号 unread) in one box, the number in the next: the label's length would
    // reach the number's 4, and the number would lose its first digit
    const label = [...'公民身份码'].map((char, i) => ({ char, cls: 1, prob: 0.9, t0: 2 * i, t1: 2 * i, line: 0 }));
    const number = [...'420203196701225399'].map((char, i) => ({ char, cls: 1, prob: 0.99, t0: 2 * i, t1: 2 * i, line: 1 }));
    const chars = [...label, ...number];
    const r: Row = { lines: [], v: 0, h: 10, chars, text: chars.map((c) => c.char).join('') };
    assert.equal(findLabel(r, '公民身份号码'), 4);
    assert.equal(at([row('姓名张三', 0), row('性别男民族汉', 1), r])['公民身份号码'], '2:码');
  });

  it('takes a lone 名 at a row start when nothing better exists', () => {
    assert.equal(at(['名张三', '性别男民族汉'].map(row))['姓名'], '0:名');
  });
});

describe('nation prior', () => {
  it('weighs nations by their share of the population', async () => {
    const { nationShare, NATIONS } = await import('../../src/idcard/index.ts');
    assert.ok(NATIONS.every((n) => nationShare(n) > 0), 'every nation has a share');
    assert.ok(nationShare('汉') > 0.9 && nationShare('汉') < 0.92);
    assert.ok(nationShare('水') < 0.001);
    assert.equal(nationShare('火星'), 0);
    const total = NATIONS.reduce((s, n) => s + nationShare(n), 0);
    assert.ok(Math.abs(total - 1) < 1e-9);
  });
});
