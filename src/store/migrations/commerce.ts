import type { AreaMigration } from './types.ts';

// Migrations owned by src/commerce/, in order. Never edit one that has shipped: add another.
export const commerceMigrations: AreaMigration[] = [];
