// Tables owned by src/verification/. Add them here; schema.ts composes every area.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface VerificationTables {}
