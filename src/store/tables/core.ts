import type { Generated } from 'kysely';

export interface CoreTables {
  /** key/value facts about this installation (e.g. demo bootstrap done) */
  settings: { key: string; value: string };
  /** nodes that have served, for the operator's health page */
  nodes: {
    id: string; started_at: number; last_seen_at: number; version: string;
    /** the serving process (added by commerce's migration 0402) */
    host: string | null; pid: number | null;
  };
}
export type { Generated };
