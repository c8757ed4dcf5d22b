// An address on the card starts with its region: province, prefecture, county (贵州省铜仁市松桃苗族
// 自治县…), names from a closed list, GB/T 2260. Where the model misread a character of that
// start (彝 as 异 or 舞, 溧 as 漂, 咸 as 威) or could not produce it at all (磴 is outside its
// dictionary), the region list corrects it: the read start is matched against every region
// chain of every year, and a near miss is replaced by the chain when only doubtful characters
// differ. Confidently read characters are never overruled, so a region newer than our table
// keeps what the card shows.
import { regionName, regionTableCodes } from '../idcard/index.ts';

export interface ReadChar {
  char: string;
  prob: number;
}

export interface RegionCorrection {
  /** the whole address with its start replaced by the region chain */
  value: string;
  chain: string;
  /** how many characters of the read start were read chars that the chain changed */
  edits: number;
  /** the read characters the chain covers: [0, readLength) */
  readLength: number;
  /** how many confidently read characters the chain changed (at most one) */
  overruled?: number;
}

/** second-level entries that are placeholders, not names printed on a card */
const GENERIC = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划', '省直辖行政单位', '直辖']);
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

let chainsCache: string[] | undefined;

/** The prefecture-level name an address prints for a code: none for a placeholder (市辖区,
 *  省直辖…) nor under a municipality, whose districts follow the province directly. */
function printedPrefecture(code: string): string {
  const second = regionName(`${code.slice(0, 4)}00`);
  return second && !GENERIC.has(second) && !MUNICIPALITIES.has(code.slice(0, 2)) ? second : '';
}

/** Every printed region start: province+prefecture, province+prefecture+county, and
 *  province+county where the county sits directly under the province (municipalities, 省直辖). */
export function regionChains(): string[] {
  if (chainsCache) return chainsCache;
  const chains = new Set<string>();
  for (const code of regionTableCodes()) {
    if (code.endsWith('0000')) continue;
    const province = regionName(`${code.slice(0, 2)}0000`);
    if (!province) continue;
    const secondPrinted = printedPrefecture(code);
    if (code.endsWith('00')) {
      if (secondPrinted) chains.add(province + secondPrinted);
      continue;
    }
    const county = regionName(code);
    if (!county || GENERIC.has(county)) continue;
    chains.add(province + secondPrinted + county);
    // an address may leave out a prefecture that the card's owner does not write
    if (secondPrinted) chains.add(province + county);
  }
  chainsCache = [...chains].filter((c) => c.length >= 5);
  return chainsCache;
}

/** a read character below this is doubtful: the region list may replace it */
const DOUBTFUL = 0.9;
const MAX_EDITS = 2;
/** what one edit takes off the length of the chain it makes fit */
const EDIT_COST = 2.5;
/** a correction must leave a chain of at least this length net of its edits */
const MIN_SCORE = 4;

interface Match {
  chain: string;
  edits: number;
  readLength: number;
  /** every edit touches only doubtful read characters, or inserts one the model cannot produce */
  ok: boolean;
  /** the edits that overrule a confidently read character */
  hard: number;
}

/**
 * Align `chain` with the start of the read characters (substitutions, and characters missing
 * from either side), at most MAX_EDITS edits; among equally short alignments the one with the
 * fewest edits of confidently read characters.
 */
function alignStart(chain: string, read: ReadChar[], canProduce: (ch: string) => boolean): Match | undefined {
  const c = [...chain];
  const n = c.length, m = Math.min(read.length, n + MAX_EDITS);
  if (m < n - MAX_EDITS) return undefined;
  // cost[i][j]: edits aligning c[0..i) with read[0..j); hard[i][j]: how many of them are not ok
  const INF = 1e9;
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(INF));
  const hard: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  cost[0]![0] = 0;
  for (let i = 0; i <= n; i++) {
    let rowMin = INF;
    for (let j = 0; j <= m; j++) {
      if (i === 0 && j === 0) { rowMin = 0; continue; }
      // the cheapest of the three moves, fewer hard edits breaking ties (written out: a closure
      // here would be made for every cell of every chain tried)
      let best = INF, h = 0, v: number, hv: number;
      if (i > 0 && j > 0) {
        const same = c[i - 1] === read[j - 1]!.char;
        v = cost[i - 1]![j - 1]! + (same ? 0 : 1);
        hv = hard[i - 1]![j - 1]! + (same || read[j - 1]!.prob < DOUBTFUL ? 0 : 1);
        if (v < best || (v === best && hv < h)) { best = v; h = hv; }
      }
      // a read character the chain does not have (a speck read as a character)
      if (j > 0) {
        v = cost[i]![j - 1]! + 1;
        hv = hard[i]![j - 1]! + (read[j - 1]!.prob < DOUBTFUL ? 0 : 1);
        if (v < best || (v === best && hv < h)) { best = v; h = hv; }
      }
      // a chain character the read lacks: only one the model could not have produced
      if (i > 0) {
        v = cost[i - 1]![j]! + 1;
        hv = hard[i - 1]![j]! + (canProduce(c[i - 1]!) ? 1 : 0);
        if (v < best || (v === best && hv < h)) { best = v; h = hv; }
      }
      cost[i]![j] = best;
      hard[i]![j] = h;
      rowMin = Math.min(rowMin, best);
    }
    if (rowMin > MAX_EDITS) return undefined;
  }
  let bestJ = -1;
  for (let j = Math.max(0, n - MAX_EDITS); j <= m; j++) {
    const v = cost[n]![j]!;
    if (v > MAX_EDITS) continue;
    if (bestJ < 0 || v < cost[n]![bestJ]! || (v === cost[n]![bestJ]! && hard[n]![j]! < hard[n]![bestJ]!)) bestJ = j;
  }
  if (bestJ < 0) return undefined;
  const h = hard[n]![bestJ]!;
  return { chain, edits: cost[n]![bestJ]!, readLength: bestJ, ok: h === 0, hard: h };
}

/** a chain this long, and the card's own number region, may overrule one confident character */
const OVERRULE_LENGTH = 8;

/**
 * The region correction of an address read, or undefined when the read start already is a
 * region chain, or no chain is near enough, or two chains are equally near (no guessing).
 * `preferredChains` (the chains of the card's ID number region) break ties.
 */
export function correctRegionStart(read: ReadChar[], canProduce: (ch: string) => boolean, preferredChains: readonly string[] = []): RegionCorrection | undefined {
  if (read.length < 4) return undefined;
  const text = read.map((r) => r.char).join('');
  const chains = regionChains();
  let best: Match[] = [];
  let bestScore = -Infinity;
  let exact = 0;
  let exactChain = '';
  const window = new Set([...text].slice(0, 40));
  for (const chain of chains) {
    if (text.startsWith(chain)) {
      if ([...chain].length > exact) { exact = [...chain].length; exactChain = chain; }
      continue;
    }
    // cheap filter first: the chain's characters must nearly all be in the read's start
    let missing = 0;
    for (const ch of chain) if (!window.has(ch) && ++missing > MAX_EDITS) break;
    if (missing > MAX_EDITS) continue;
    const m = alignStart(chain, read, canProduce);
    if (!m || m.edits === 0) continue;
    // one confidently read character may be overruled (内蒙古 read 内家古) only by a long chain
    // that the card's number names too and whose last character (区 县 市 旗) the read shows
    if (!m.ok && !(m.hard === 1 && [...chain].length >= OVERRULE_LENGTH && preferredChains.includes(chain) && read[m.readLength - 1]?.char === [...chain].pop())) continue;
    // a longer chain matched with the same edits is stronger evidence
    const score = [...chain].length - EDIT_COST * m.edits;
    // a municipality's district is a short chain (重庆市涪陵区): one doubtful character away
    // from the read, it counts where the card's number names it too (培陵区, 0083 of seed 89)
    const vouched = m.ok && m.edits === 1 && preferredChains.includes(chain);
    if (score < MIN_SCORE && !(vouched && score >= MIN_SCORE - 1)) continue;
    if (score > bestScore) { bestScore = score; best = [m]; }
    else if (score === bestScore) best.push(m);
  }
  // a start the list holds as read wins unless a near chain explains clearly more of the read
  if (bestScore <= exact) return lookAlikeCounty(text, exactChain, chains, preferredChains);
  if (!best.length) return undefined;
  let pick = best[0]!;
  if (best.length > 1) {
    const preferred = best.filter((m) => preferredChains.includes(m.chain));
    const distinct = new Set((preferred.length ? preferred : best).map((m) => m.chain));
    if (distinct.size !== 1) return undefined;
    pick = (preferred.length ? preferred : best)[0]!;
  }
  // by read characters, not string indices: a character outside the BMP is two code units
  const rest = read.slice(pick.readLength).map((r) => r.char).join('');
  return { value: pick.chain + rest, chain: pick.chain, edits: pick.edits, readLength: pick.readLength, ...(pick.hard ? { overruled: pick.hard } : {}) };
}

/**
 * The model reads some county names confidently wrong (溧水 as 漂水, 盂县 as 孟县): characters
 * that differ by a stroke. After a province and prefecture read exactly, a county name that
 * no county of that prefecture has, one character away from exactly one that it has, is that
 * one (of two such, the one the card's number names). Only inside the name: the last character
 * (区 县 市 旗) is never changed, since a county that became a city (米林县 → 米林市) may be
 * newer than our table.
 */
function lookAlikeCounty(text: string, exactChain: string, chains: string[], preferredChains: readonly string[]): RegionCorrection | undefined {
  if ([...exactChain].length < 5) return undefined;
  const t = [...text];
  const base = [...exactChain].length;
  const hits = chains.filter((chain) => {
    const c = [...chain];
    if (c.length < base + 2 || !chain.startsWith(exactChain) || t.length < c.length) return false;
    let diff = -1;
    for (let i = base; i < c.length; i++) {
      if (c[i] === t[i]) continue;
      if (diff >= 0) return false;
      diff = i;
    }
    return diff >= 0 && diff < c.length - 1 && /\p{Script=Han}/u.test(t[diff]!);
  });
  // two counties one character away (都城县: 郓城县 and 鄄城县 of 菏泽市): the card's number
  // names the county of first issue, which settles it where it is one of them
  const settled = hits.length > 1 ? hits.filter((h) => preferredChains.includes(h)) : hits;
  if (settled.length !== 1) return undefined;
  const chain = settled[0]!;
  // the read's own county is not one the list knows under this prefecture
  const readCounty = t.slice(0, [...chain].length).join('');
  if (chains.includes(readCounty)) return undefined;
  return { value: chain + t.slice([...chain].length).join(''), chain, edits: 1, readLength: [...chain].length };
}

/** marks before an address's region at most this many characters long are dropped */
const MAX_LEAD = 3;

export interface RegionStart {
  /** read characters before the region that are not the address's */
  lead: number;
  /** the correction of the region after them, if it needs one */
  fix?: RegionCorrection;
  /** the index, after the lead, of the first read character past the region (0: no region) */
  end: number;
}

/**
 * Where an address's region stands in its read. Characters before it may not be the address's
 * (the 住址 label misread, specks: 电配#甘票省…, 体装心河北省…): an address starts with its region,
 * so up to MAX_LEAD unsure characters followed by a region chain (as read, or near enough to
 * correct) are the lead. Each offset's chain match and correction is worked out once.
 */
export function regionStart(read: ReadChar[], canProduce: (ch: string) => boolean, preferredChains: readonly string[] = []): RegionStart {
  const exact = new Map<number, number>();
  const fixes = new Map<number, RegionCorrection | undefined>();
  const exactAt = (k: number) => exact.get(k) ?? exact.set(k, regionPrefixLength(read.slice(k).map((r) => r.char).join(''))).get(k)!;
  const fixAt = (k: number) => (fixes.has(k) ? fixes.get(k) : fixes.set(k, correctRegionStart(read.slice(k), canProduce, preferredChains)).get(k));
  const startAt = (lead: number): RegionStart => {
    const fix = fixAt(lead);
    return fix ? { lead, fix, end: fix.readLength } : { lead, end: exactAt(lead) };
  };
  if (exactAt(0) > 0 || fixAt(0)) return startAt(0);
  for (let k = 1; k <= Math.min(MAX_LEAD, read.length - 4); k++) {
    if (read[k - 1]!.prob >= DOUBTFUL && !'住址'.includes(read[k - 1]!.char)) break;
    if (exactAt(k) >= 5 || fixAt(k)) return startAt(k);
  }
  return startAt(0);
}

/** How many characters of `text` the longest region chain it starts with covers (0: none). */
export function regionPrefixLength(text: string): number {
  let longest = 0;
  for (const chain of regionChains()) if (text.startsWith(chain)) longest = Math.max(longest, [...chain].length);
  return longest;
}

/** The chains an ID number's region code prints as (for breaking ties). */
export function chainsOfCode(addrCode: string): string[] {
  if (!/^\d{6}$/.test(addrCode)) return [];
  const province = regionName(`${addrCode.slice(0, 2)}0000`);
  const county = regionName(addrCode);
  if (!province || !county) return [];
  return [province + printedPrefecture(addrCode) + county, province + county];
}

let authoritiesCache: { names: Set<string>; near: Map<string, string[]> } | undefined;

/**
 * The issuing authorities a card's back prints, from the region list: a county's own bureau
 * (松桃苗族自治县公安局, 义乌市公安局), a district's branch of its city's bureau (岳阳市公安局岳阳楼分局,
 * 北京市公安局朝阳分局), and a city's bureau (东莞市公安局); with each name's one-character
 * look-alike keys (one character replaced by ?) for finding the name a misread is nearest.
 */
function authorities(): { names: Set<string>; near: Map<string, string[]> } {
  if (authoritiesCache) return authoritiesCache;
  const names = new Set<string>();
  for (const code of regionTableCodes()) {
    if (code.endsWith('0000')) {
      if (MUNICIPALITIES.has(code.slice(0, 2))) names.add(`${regionName(code)}公安局`);
      continue;
    }
    const name = regionName(code);
    if (!name || GENERIC.has(name)) continue;
    if (code.endsWith('00')) {
      if (!MUNICIPALITIES.has(code.slice(0, 2))) names.add(`${name}公安局`);
      continue;
    }
    names.add(`${name}公安局`);
    const city = MUNICIPALITIES.has(code.slice(0, 2)) ? regionName(`${code.slice(0, 2)}0000`) : printedPrefecture(code);
    if (city && name.endsWith('区')) names.add(`${city}公安局${name.length > 2 ? name.slice(0, -1) : name}分局`);
  }
  const near = new Map<string, string[]>();
  for (const n of names) {
    const c = [...n];
    c.forEach((ch, i) => {
      if ('公安局分'.includes(ch)) return;
      const key = [...c.slice(0, i), '?', ...c.slice(i + 1)].join('');
      const list = near.get(key);
      if (list) list.push(n);
      else near.set(key, [n]);
    });
  }
  authoritiesCache = { names, near };
  return authoritiesCache;
}

/**
 * The issuing authority read, checked against the region list: 'known' when the list holds it
 * as read, with each character where another name it holds differs in that one character and
 * what that name has there (盂县 and 孟县 are both in the list of some year); the one name it
 * holds that differs from the read in a single character of a place name (颖泉 for 颍泉, 盱胎
 * for 盱眙), when exactly one does; else 'unknown'.
 */
export function checkAuthority(read: string): { known: true; rivals: Array<{ at: number; chars: string[] }> } | { known: false; nearest?: string } {
  const { names, near } = authorities();
  const c = [...read];
  if (names.has(read)) {
    const rivals = c.flatMap((ch, at) => {
      if ('公安局分'.includes(ch)) return [];
      const others = (near.get([...c.slice(0, at), '?', ...c.slice(at + 1)].join('')) ?? []).filter((n) => n !== read);
      return others.length ? [{ at, chars: others.map((n) => [...n][at]!) }] : [];
    });
    return { known: true, rivals };
  }
  const found = new Set<string>();
  c.forEach((ch, i) => {
    if ('公安局分'.includes(ch)) return;
    for (const n of near.get([...c.slice(0, i), '?', ...c.slice(i + 1)].join('')) ?? []) found.add(n);
  });
  return found.size === 1 ? { known: false, nearest: [...found][0]! } : { known: false };
}
