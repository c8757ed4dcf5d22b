// Tables owned by src/billing/. Add them here; schema.ts composes every area.
import type { Generated } from 'kysely';

export interface BillingTables {
  buyers: {
    id: Generated<number>;
    name: string;
    created_at: number;
    /** 1: refused at the gateway (every app of the buyer answers Unauthorized) */
    disabled: Generated<number>;
  };
  /**
   * 套餐包: `total` calls usable in [valid_from, valid_to). `used` counts posted holds (always
   * equal to the billed ledger rows against the package), `held` counts pending holds; a call is
   * taken only while used + held < total.
   */
  call_packages: {
    id: Generated<number>;
    buyer_id: number;
    product: string;
    total: number;
    used: number;
    held: number;
    valid_from: number;
    valid_to: number;
    /** where the package came from, e.g. 'admin', 'demo', 'order:42' */
    source: string | null;
    created_at: number;
  };
  /** One call's reservation: pending -> posted | voided | expired (two-phase transfer). */
  holds: {
    id: Generated<number>;
    package_id: number;
    buyer_id: number;
    app_id: number;
    product: string;
    request_id: string;
    state: string;
    result_code: string | null;
    created_at: number;
    expires_at: number;
    settled_at: number | null;
  };
  /** One row per call that reached the product. No names, ID numbers or images. */
  usage_ledger: {
    id: Generated<number>;
    request_id: string;
    buyer_id: number;
    app_id: number;
    product: string;
    package_id: number | null;
    hold_id: number | null;
    result_code: string | null;
    billed: number;
    latency_ms: number;
    node: string;
    created_at: number;
  };
}
