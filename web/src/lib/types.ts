// The shapes the console and admin APIs answer with (src/http/console, src/http/admin).
export interface Page<T> { total: number; page: number; pageSize: number; items: T[] }
export interface Plan { id: number; priceFen: number; calls: number; validDays: number; oncePerBuyer: boolean; active?: boolean }
export interface Product { id?: number; code: string; name: string; description: string; apiPath: string; active?: boolean; plans: Plan[] }
export interface Service { productCode: string; productName: string; apiPath: string; status: string; paymentMode: string; createdAt: number; used: number; total: number }
export interface PackageView { id: number; name: string; productCode: string; used: number; total: number; validFrom: number; validTo: number; status: string; orderId: number | null; createdAt: number }
export interface UsageRecord { serial: string; packageId: number; windowStart: number; windowEnd: number; processedAt: string; note: string; calls: number }
export interface UsagePage { total: number; page: number; pageSize: number; records: UsageRecord[] }
export interface Order {
  id: number; planId: number; productCode: string; unitPriceFen: number; calls: number; validDays: number; quantity: number; amountFen: number;
  status: 'unpaid' | 'paid' | 'cancelled' | 'expired'; paymentMethod: string | null; createdAt: number; expiresAt: number; paidAt: number | null; packageIds: number[];
  buyerId?: number;
}
export interface Invoice {
  id: number; buyerId: number; title: string; taxId: string; type: 'normal' | 'special'; email: string; amountFen: number;
  status: 'requested' | 'issued' | 'rejected'; number: string | null; rejectReason: string | null; hasPdf: boolean; orderIds: number[]; createdAt: number; decidedAt: number | null;
}
export interface InvoiceableOrder { orderId: number; productCode: string; paidAt: number; amountFen: number }
export interface Warning { id: number; productCode: string; kind: string; remaining: number; total: number; message: string; createdAt: number; readAt: number | null }
export interface Contacts { email: string | null; phone: string | null; warnThresholdPct: number }
export interface AppSummary { id: number; name: string | null; appKey: string; active: boolean; createdAt: number }
export interface CreatedApp { id: number; appKey: string; appSecret: string; appCode: string }
export interface BreakdownRow { key: string; calls: number; billed: number }
export interface BuyerSummary { id: number; name: string; email: string | null; balanceFen: number; createdAt: number; disabled: boolean }
export interface AuditEntry { id: number; operatorId: number; operatorEmail: string | null; action: string; target: string; detail: Record<string, unknown>; createdAt: number }
export interface Me { balanceFen: number; unpaidOrders: number; unreadWarnings: number }
export const PRODUCT_NAMES: Record<string, string> = { 'idcard-ocr': '身份证实名认证OCR', 'idcard-verify': '身份证二要素核验' };
/** GET /console/api/usage/series, /admin/api/usage/series */
export interface UsageSeries {
  bucket: 'hour' | 'day'; from: number; to: number;
  points: Array<{ t: number; code: string; calls: number; billed: number }>;
  codes: string[];
  apps: Array<{ id: number; name: string | null }>;
}
/** GET /admin/api/health */
export interface HealthReport {
  database: { dialect: 'sqlite' | 'postgres'; ok: boolean; latencyMs: number };
  nodes: Array<{ id: string; host: string | null; pid: number | null; version: string | null; startedAt: number; lastSeenAt: number; alive: boolean }>;
  verificationSource: { kind: 'registry' | 'http' | 'none'; ok: boolean; detail?: string };
  alerts: { pending: number; failed: number; sentLast24h: number; oldestPendingAt: number | null };
}
