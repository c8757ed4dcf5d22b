import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import type { CommerceConfig } from '../config.ts';

export type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
export type { CommerceConfig };

export interface Page<T> {
  total: number;
  page: number;
  pageSize: number;
  items: T[];
}

export interface PageRequest {
  page?: number;
  pageSize?: number;
}

export function pageBounds(req: PageRequest, defaultSize = 10): { page: number; pageSize: number; offset: number } {
  const pageSize = Math.min(Math.max(Math.trunc(req.pageSize ?? defaultSize), 1), 100);
  const page = Math.max(Math.trunc(req.page ?? 1), 1);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

export const DAY_MS = 24 * 3600_000;

export const defaultCommerceConfig: CommerceConfig = {
  cookieSecure: true,
  sessionTtlMinutes: 7 * 24 * 60,
  orderTtlMinutes: 30,
  refundDays: 7,
  warnThresholdPct: 20,
  expiryWarnDays: 7,
  loginMaxFailuresPerAccount: 5,
  loginMaxFailuresPerIp: 30,
  loginWindowMinutes: 15,
  invoicePdfMaxBytes: 5 * 1024 * 1024,
};
