import type { Store } from '../../store/index.ts';
import type { CommerceConfig } from '../../commerce/index.ts';

/** What the console and admin APIs need from the server. */
export interface ApiDeps {
  store: Store;
  /** gateway.secretKey encrypts the AppSecrets of the apps a buyer creates here */
  config: { commerce: CommerceConfig; gateway: { secretKey: string } };
  /** the clock (tests move it) */
  now: () => number;
}

export interface ApiOptions {
  store: Store;
  config: { commerce: CommerceConfig; gateway: { secretKey: string } };
  now?: () => number;
}

export function apiDeps(options: ApiOptions): ApiDeps {
  return { store: options.store, config: options.config, now: options.now ?? Date.now };
}
