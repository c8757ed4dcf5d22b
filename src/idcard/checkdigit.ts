/** ISO 7064 MOD 11-2 weights for positions 1..17 (2^(18-i) mod 11). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

/**
 * The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits:
 * '0'-'9' or 'X'. Throws a TypeError when `first17` is not 17 ASCII digits.
 */
export function checkDigitOf(first17: string): string {
  if (typeof first17 !== 'string' || !/^[0-9]{17}$/.test(first17)) {
    throw new TypeError('checkDigitOf expects exactly 17 digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}
