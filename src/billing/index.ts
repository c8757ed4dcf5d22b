// The billing area's only door: buyers, call packages, holds, the usage ledger.
export { PRODUCTS, isProduct, DEFAULT_BILLABLE_CODES, type Product } from './products.ts';
export {
  createBuyer, getBuyer, grantPackage, listPackages, getPackage, remainingCalls, packageStatus, revokeUnusedPackage,
  BillingInputError, DEFAULT_PACKAGE_DAYS, type Buyer, type CallPackage, type PackageStatus, type GrantInput,
} from './packages.ts';
export {
  reserve, settle, sweepExpiredHolds, recordUnbilledCall, openHoldBook, DEFAULT_HOLD_TTL_MS, type HoldBook, type HoldBookStats, type HoldBookOptions, type HoldCallback,
  type Hold, type ReserveInput, type ReserveResult, type SettleInput, type SettleResult,
} from './holds.ts';
export { auditLedger, usageRecords, type AuditReport, type AuditMismatch, type UsageRecord, type UsageRecordsPage, type UsageRecordsQuery } from './ledger.ts';
export { writeTransaction, isPostgres, type Db } from './db.ts';
