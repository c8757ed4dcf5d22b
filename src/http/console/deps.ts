import type { Store } from '../../store/index.ts';
import type { CommerceConfig, HeartbeatOptions } from '../../commerce/index.ts';

/** What the console and admin APIs need from the server. */
export interface ApiDeps {
  store: Store;
  /** gateway.secretKey encrypts the AppSecrets of the apps a buyer creates here */
  config: { commerce: CommerceConfig; gateway: { secretKey: string } };
  /** the clock (tests move it) */
  now: () => number;
  health: HealthOptions;
}

/** What the operator's health page reports on (buildServer passes it; bare instances need not). */
export interface HealthOptions {
  /** the verification source the product routes use: its kind and, for http, its breaker */
  verification?: { verify: unknown; readonly kind?: string; readonly breakerState?: string };
  /** write this process's heartbeat to the `nodes` table from ready to close */
  heartbeat?: boolean | HeartbeatOptions;
}

export interface ApiOptions {
  store: Store;
  config: { commerce: CommerceConfig; gateway: { secretKey: string } };
  now?: () => number;
  health?: HealthOptions;
}

export function apiDeps(options: ApiOptions): ApiDeps {
  return { store: options.store, config: options.config, now: options.now ?? Date.now, health: options.health ?? {} };
}
