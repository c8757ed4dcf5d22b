/** The metered products and the API path each one sells. */
export const PRODUCTS = ['idcard-ocr', 'idcard-verify'] as const;
export type Product = (typeof PRODUCTS)[number];

export function isProduct(value: unknown): value is Product {
  return typeof value === 'string' && (PRODUCTS as readonly string[]).includes(value);
}

/** Result codes billed by default: the vendors' convention, a failed call is not charged. */
export const DEFAULT_BILLABLE_CODES: readonly string[] = ['01', '02'];
