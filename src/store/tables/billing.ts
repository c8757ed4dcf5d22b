// Tables owned by src/billing/. Add them here; schema.ts composes every area.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BillingTables {}
