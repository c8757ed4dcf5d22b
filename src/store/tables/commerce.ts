// Tables owned by src/commerce/. Add them here; schema.ts composes every area.
// Money is integer fen; timestamps are epoch ms; booleans are 0/1.
import type { Generated } from 'kysely';

export interface CommerceTables {
  /** a login: a buyer's (buyer_id set) or an operator's (role 'operator') */
  accounts: {
    id: Generated<number>;
    email: string; // lower-cased, unique
    password_hash: string; // argon2id
    role: 'buyer' | 'operator';
    buyer_id: number | null; // billing's buyer id, for role 'buyer'
    name: string;
    disabled: number;
    created_at: number;
  };
  /** a logged-in browser; id is the SHA-256 of the cookie's token, never the token */
  sessions: {
    id: string;
    account_id: number;
    csrf_token: string;
    created_at: number;
    expires_at: number;
  };
  /** failed logins, counted per account and per IP over a window (shared by all nodes) */
  login_failures: {
    id: Generated<number>;
    scope: string; // 'account:<email>' | 'ip:<address>'
    at: number;
  };
  /** a buyer's contacts and renewal-warning threshold */
  buyer_contacts: {
    buyer_id: number;
    email: string | null;
    phone: string | null;
    warn_threshold_pct: number;
    updated_at: number;
  };
  products: {
    id: Generated<number>;
    code: string; // 'idcard-ocr' | 'idcard-verify' | …, what metered routes name
    name: string;
    description: string;
    api_path: string;
    active: number;
    sort: number;
    created_at: number;
    updated_at: number;
  };
  plans: {
    id: Generated<number>;
    product_id: number;
    price_fen: number;
    calls: number;
    valid_days: number;
    once_per_buyer: number;
    active: number;
    sort: number;
    created_at: number;
    updated_at: number;
  };
  orders: {
    id: Generated<number>;
    buyer_id: number;
    plan_id: number;
    product_code: string;
    // the plan as it was when ordered: an operator's later edit does not change an order
    unit_price_fen: number;
    calls: number;
    valid_days: number;
    quantity: number;
    amount_fen: number;
    status: 'unpaid' | 'paid' | 'cancelled' | 'expired';
    payment_method: string | null;
    created_at: number;
    expires_at: number;
    paid_at: number | null;
    closed_at: number | null;
  };
  /** the packages an order created (billing owns the packages themselves) */
  order_packages: {
    package_id: number;
    order_id: number;
    buyer_id: number;
    unit_price_fen: number;
    refunded_at: number | null;
  };
  /** one row per buyer per once-per-buyer plan: the free trial is taken once */
  plan_claims: {
    buyer_id: number;
    plan_id: number;
    order_id: number;
  };
  balances: {
    buyer_id: number;
    balance_fen: number;
    updated_at: number;
  };
  /** every change of a balance, with its reason: the balance is their sum */
  balance_entries: {
    id: Generated<number>;
    buyer_id: number;
    delta_fen: number;
    balance_after_fen: number;
    kind: 'topup' | 'payment' | 'refund';
    order_id: number | null;
    package_id: number | null;
    reason: string;
    operator_id: number | null;
    created_at: number;
  };
  invoices: {
    id: Generated<number>;
    buyer_id: number;
    title: string;
    tax_id: string;
    type: 'normal' | 'special';
    email: string;
    amount_fen: number;
    status: 'requested' | 'issued' | 'rejected';
    number: string | null;
    reject_reason: string | null;
    pdf: Uint8Array | null;
    pdf_name: string | null;
    created_at: number;
    decided_at: number | null;
    decided_by: number | null;
  };
  /** an order on a live (requested or issued) invoice; the primary key keeps it on one */
  invoice_orders: {
    order_id: number;
    invoice_id: number;
  };
  /** a renewal warning; the unique key makes each crossing warn once, whichever node sees it */
  renewal_warnings: {
    id: Generated<number>;
    buyer_id: number;
    product_code: string;
    kind: 'low' | 'empty' | 'expiring';
    crossing: string;
    remaining: number;
    total: number;
    message: string;
    email_to: string | null;
    email_status: string; // 'sent' | 'failed: …' | 'no contact'
    sms_to: string | null;
    sms_status: string;
    created_at: number;
    read_at: number | null;
  };
  operator_audit: {
    id: Generated<number>;
    operator_id: number;
    action: string;
    target: string;
    detail: string; // JSON
    created_at: number;
  };
}
