// Tables owned by src/gateway/. Add them here; schema.ts composes every area.
import type { Generated } from 'kysely';

export interface GatewayTables {
  /**
   * A buyer's application: its AppKey/AppSecret pair and its AppCode. The AppCode is stored only
   * as a SHA-256 hash (it is 128 random bits, so a slow hash adds nothing); the AppSecret is
   * stored encrypted (AES-256-GCM, key from config) because HMAC needs the plain secret.
   * `version` grows on every reset and on disable: nodes compare it on the hot path, so a
   * reset takes effect at once everywhere.
   */
  apps: {
    id: Generated<number>;
    buyer_id: number;
    name: string | null;
    app_key: string;
    app_code_hash: string;
    app_secret_enc: string;
    /** 1 active, 0 disabled */
    status: number;
    version: number;
    /** comma-separated products this app may call; null = every product */
    products: string | null;
    created_at: number;
    updated_at: number;
  };
  /** X-Ca-Nonce values seen in the last 15 minutes, per app (unique across every node) */
  gateway_nonces: {
    app_id: number;
    nonce: string;
    expires_at: number;
  };
  /** Idempotency-Key (or an AppCode caller's X-Ca-Nonce) -> the outcome of the first request */
  gateway_idempotency: {
    app_id: number;
    key: string;
    /** SHA-256 of method, path and body: a key reused for another request is refused */
    fingerprint: string;
    request_id: string;
    /** 'pending' while the first request runs, then 'done' */
    state: string;
    billed: number;
    result_code: string | null;
    created_at: number;
    expires_at: number;
  };
  /** serving nodes' heartbeats, so each node sizes its share of a rate limit */
  gateway_nodes: {
    node_id: string;
    last_seen_at: number;
  };
}
