// Types of scripts/embedded-postgres.mjs, for the TypeScript benchmarks that use it.
export function freePort(): Promise<number>;
export function startEmbeddedPostgres(prefix?: string): Promise<{ url: string; stop(): Promise<void> }>;
