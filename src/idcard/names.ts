// Names as printed on a resident ID card: Chinese characters, and for many minority names
// several parts joined by the middle dot "·" (U+00B7), e.g. 买买提·吐尔逊.

/** The middle dot of minority names. */
export const NAME_SEPARATOR = '\u00B7';

// Dots that people, keyboards and OCR put in place of U+00B7.
const LOOK_ALIKE_DOTS = /[\u0387\u2022\u2027\u30FB\uFF0E\uFF65]/g;
const WHITE_SPACE = /^[\s\u3000]+|[\s\u3000]+$/g;
// Any CJK Unified Ideograph: the basic block, extension A and extensions B and on (rare name
// characters such as 㛃 or 𠮷), as Unicode's Unified_Ideograph property lists them.
const NAME_PART = /^\p{Unified_Ideograph}+$/u;

const MIN_CHARS = 2;
const MAX_CHARS = 15;
/** Longest input worth looking at: 15 characters of 2 UTF-16 units, 14 dots, some space. */
const MAX_INPUT = 64;

/** Trim white space (also the ideographic space) and turn look-alike dots into "·". */
export function normaliseName(name: string): string {
  if (typeof name !== 'string') return '';
  return name.normalize('NFC').replace(WHITE_SPACE, '').replace(LOOK_ALIKE_DOTS, NAME_SEPARATOR);
}

/**
 * True for 2 to 15 Chinese characters (dots not counted), with "·" (or a look-alike) only
 * between parts: no leading, trailing or doubled dot, and nothing else — no Latin letters,
 * digits, spaces, control characters, punctuation or emoji.
 */
export function isValidChineseName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_INPUT) return false;
  const parts = normaliseName(name).split(NAME_SEPARATOR);
  let chars = 0;
  for (const part of parts) {
    if (!NAME_PART.test(part)) return false;
    chars += [...part].length;
  }
  return chars >= MIN_CHARS && chars <= MAX_CHARS;
}
