// The whole database schema as kysely types, composed from one file per area so that each area
// owns its tables. Timestamps are epoch milliseconds (integers) on both databases; booleans are
// 0/1 integers, which both databases store the same way.
import type { CoreTables } from './tables/core.ts';
import type { GatewayTables } from './tables/gateway.ts';
import type { BillingTables } from './tables/billing.ts';
import type { VerificationTables } from './tables/verification.ts';
import type { CommerceTables } from './tables/commerce.ts';

export interface DatabaseSchema extends CoreTables, GatewayTables, BillingTables, VerificationTables, CommerceTables {}
