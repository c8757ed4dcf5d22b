// Tables owned by src/verification/. schema.ts composes every area.

export interface VerificationTables {
  /**
   * The operator's registry of known identities, keyed hashes only (never plain values):
   * `id_hash` = HMAC-SHA256(key, idNumber), `pair_hash` = HMAC-SHA256(key, name + NUL + idNumber),
   * both raw 32-byte digests (blob on SQLite, bytea on PostgreSQL).
   */
  verification_registry: {
    id_hash: Buffer;
    pair_hash: Buffer;
    /** epoch ms of the last insert or change */
    updated_at: number;
  };
}
