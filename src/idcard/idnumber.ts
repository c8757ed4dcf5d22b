// Citizen identity numbers (GB 11643-1999): 6-digit address code (GB/T 2260), 8-digit birth date,
// 3-digit sequence (odd for men), 1 check character (ISO 7064 MOD 11-2, '0'-'9' or 'X').
import { checkDigitOf } from './checkdigit.ts';
import { isProvinceCode, lookupRegion, type Region } from './regions.ts';

/** Why a number is malformed; every one of them is answered 205. */
export type IdNumberProblem = 'length' | 'characters' | 'date' | 'region' | 'checksum';

export type Sex = '男' | '女';

export interface IdNumberInfo {
  /** 18 characters, check character 'X' in upper case */
  idNumber: string;
  /** YYYY-MM-DD */
  birthday: string;
  sex: Sex;
  /** the first 6 digits: the address code of the place of first issue */
  addrCode: string;
  /** the 18th character */
  lastCode: string;
  region: Region;
}

export type IdNumberCheck =
  | ({ ok: true } & IdNumberInfo)
  | {
      ok: false;
      reason: IdNumberProblem;
      /**
       * For a well-formed 15-digit number of GB 11643-1989: its 18-character form, for lookups
       * (the public API still answers such input with 205).
       */
      upgraded?: string;
    };

/** China keeps one offset all year (no daylight saving since 1991). */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const MAX_INPUT = 64;

/** Today's calendar date in China as YYYYMMDD, the bound for a birth date. */
function chinaDate(today: Date): string {
  const d = new Date(today.getTime() + CHINA_OFFSET_MS);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${y}${m}${day}`;
}

/** A real calendar date YYYYMMDD from 1900-01-01 on (Gregorian leap years). */
export function isRealBirthDate(yyyymmdd: string): boolean {
  if (!/^[0-9]{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

function normalise(input: unknown): string {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return typeof input === 'string' ? input : '';
  return input.trim().replace(/x$/, 'X');
}

/**
 * The 18-character form of a 15-digit number of GB 11643-1989: '19' inserted before the
 * 2-digit year, then the check character. Throws a TypeError unless given 15 digits.
 */
export function upgradeLegacyIdNumber(legacy: string): string {
  if (typeof legacy !== 'string' || !/^[0-9]{15}$/.test(legacy.trim())) {
    throw new TypeError('upgradeLegacyIdNumber expects exactly 15 digits');
  }
  const s = legacy.trim();
  const first17 = `${s.slice(0, 6)}19${s.slice(6)}`;
  return first17 + checkDigitOf(first17);
}

function describe(idNumber: string): IdNumberInfo {
  const birth = idNumber.slice(6, 14);
  const addrCode = idNumber.slice(0, 6);
  return {
    idNumber,
    birthday: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    sex: Number(idNumber[16]) % 2 === 1 ? '男' : '女',
    addrCode,
    lastCode: idNumber[17]!,
    region: lookupRegion(addrCode),
  };
}

/** Shape, region, date and checksum of an 18-character number (already normalised). */
function problemOf(n: string, todayYmd: string): IdNumberProblem | undefined {
  if (n.length !== 18) return 'length';
  if (!/^[0-9]{17}[0-9X]$/.test(n)) return 'characters';
  if (!isProvinceCode(n.slice(0, 2))) return 'region';
  const birth = n.slice(6, 14);
  if (!isRealBirthDate(birth) || birth > todayYmd) return 'date';
  if (checkDigitOf(n.slice(0, 17)) !== n[17]) return 'checksum';
  return undefined;
}

/**
 * Check a citizen identity number against GB 11643: 18 characters (surrounding white space
 * ignored, 'x' taken as 'X'), digits with a final digit or X, a province-level address code,
 * a real birth date from 1900 on and not after `today` (in China), and the check character.
 * A 15-digit legacy number is reported as 'length' with its upgraded form when well-formed.
 */
export function checkIdNumber(input: unknown, today: Date): IdNumberCheck {
  const n = normalise(input);
  const todayYmd = chinaDate(today);
  if (n.length === 15 && /^[0-9]{15}$/.test(n)) {
    const upgraded = upgradeLegacyIdNumber(n);
    return problemOf(upgraded, todayYmd) === undefined
      ? { ok: false, reason: 'length', upgraded }
      : { ok: false, reason: 'length' };
  }
  const problem = problemOf(n, todayYmd);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, ...describe(n) };
}

/**
 * Birthday (YYYYMMDD) and sex that a number states, read from its digits alone without judging
 * it; undefined when they cannot be read (not 18 characters of the right kind, or a 15-digit
 * legacy number, read through its upgrade).
 */
export function statedByNumber(input: unknown): { birthday: string; sex: Sex } | undefined {
  let n = normalise(input);
  if (/^[0-9]{15}$/.test(n)) n = upgradeLegacyIdNumber(n);
  if (!/^[0-9]{17}[0-9X]$/.test(n)) return undefined;
  return { birthday: n.slice(6, 14), sex: Number(n[16]) % 2 === 1 ? '男' : '女' };
}

/** Info of a number that passes the shape, region and checksum rules, whatever its date. */
export function describeIdNumber(input: unknown): IdNumberInfo | undefined {
  const n = normalise(input);
  const problem = problemOf(n, '99991231');
  return problem ? undefined : describe(n);
}
