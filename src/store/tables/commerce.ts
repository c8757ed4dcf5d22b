// Tables owned by src/commerce/. Add them here; schema.ts composes every area.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CommerceTables {}
