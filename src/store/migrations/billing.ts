import type { AreaMigration } from './types.ts';

// Migrations owned by src/billing/, in order. Never edit one that has shipped: add another.
export const billingMigrations: AreaMigration[] = [];
