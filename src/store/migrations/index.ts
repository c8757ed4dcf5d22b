import type { AreaMigration } from './types.ts';
import { coreMigrations } from './core.ts';
import { gatewayMigrations } from './gateway.ts';
import { billingMigrations } from './billing.ts';
import { verificationMigrations } from './verification.ts';
import { commerceMigrations } from './commerce.ts';

export type { AreaMigration };

export const allMigrations: AreaMigration[] = [
  ...coreMigrations,
  ...gatewayMigrations,
  ...billingMigrations,
  ...verificationMigrations,
  ...commerceMigrations,
].sort((a, b) => a.name.localeCompare(b.name));
