// The commerce area's only door: accounts, the catalogue, orders and the balance, refunds,
// invoices, spend, renewal warnings and operator actions, on top of billing's packages.
export { CommerceError } from './errors.ts';
export { defaultCommerceConfig, type Db, type Page, type PageRequest, type CommerceConfig } from './types.ts';
export {
  signUp, createOperator, ensureOperator, logIn, logOut, startSession, findSession, changePassword, normalizeEmail,
  type Account, type SessionStart, type ActiveSession,
} from './accounts.ts';
export { listProducts, createProduct, updateProduct, createPlan, updatePlan, type Product, type Plan } from './catalogue.ts';
export { balanceOf, listBalanceEntries, listRefunds, type BalanceEntry, type RefundEntry } from './balance.ts';
export {
  createOrder, getOrder, listOrders, countUnpaid, cancelOrder, payOrder, expireOrders, balancePayment, MAX_QUANTITY,
  type Order, type OrderStatus, type PaymentProvider,
} from './orders.ts';
export { refundPackage, type RefundResult } from './refunds.ts';
export {
  invoiceableOrders, requestInvoice, getInvoice, listInvoices, invoicePdf, issueInvoice, rejectInvoice,
  type Invoice, type InvoiceRequest, type InvoiceableOrder,
} from './invoices.ts';
export { spendTrend, type SpendTrend } from './spend.ts';
export { contactsOf, setContacts, type Contacts } from './contacts.ts';
export {
  checkRenewalWarnings, sweepRenewalWarnings, listWarnings, markWarningRead,
  type RenewalDeps, type RenewalWarning, type WarningKind,
} from './warnings.ts';
export {
  purchasedServices, packagesOf, packageOf, usageDetail, usageBreakdown,
  type PurchasedService, type PackageView, type BreakdownRow, type TimeRange,
} from './services.ts';
export { usageCsv, usageXlsx, type UsageExportScope } from './export.ts';
export { usageSeries, seriesRange, bucketStart, SERIES_MAX_SPAN_MS, type UsageSeries, type SeriesPoint, type SeriesBucket, type SeriesQuery } from './series.ts';
export { topUp, grantByHand, listBuyers, buyerDetail, setBuyerDisabled, type BuyerSummary } from './operators.ts';
export { recordAudit, listAudit, type AuditEntry } from './audit.ts';
export {
  startNodeHeartbeat, listNodes, pingDatabase, alertQueue, productVersion, NODE_HEARTBEAT_MS,
  type NodeHeartbeat, type HeartbeatOptions, type NodeInfo, type DatabaseHealth, type AlertQueue,
} from './health.ts';
export { sweepCommerce, startCommerceSweeps, type SweepReport } from './sweeps.ts';
