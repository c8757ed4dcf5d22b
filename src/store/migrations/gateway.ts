import type { AreaMigration } from './types.ts';

// Migrations owned by src/gateway/, in order. Never edit one that has shipped: add another.
export const gatewayMigrations: AreaMigration[] = [];
