import type { AreaMigration } from './types.ts';

// Migrations owned by src/verification/, in order. Never edit one that has shipped: add another.
export const verificationMigrations: AreaMigration[] = [];
