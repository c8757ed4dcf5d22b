// `importRegistryCsv`: fills the registry from `name,idNumber` lines, streaming, in batches.
import { sql } from 'kysely';
import type { Store } from '../store/index.ts';
import { csvLines, splitCsvRecord } from './csv.ts';
import type { IdentityHasher } from './identity.ts';
import { claimRegistryKey, hashIdentity, InvalidIdentity, upsertHashedIdentities, type HashedIdentity } from './registry.ts';

export interface ImportOptions {
  /** rows per transaction (default 5,000) */
  batchSize?: number;
  /** longer lines are rejected without being buffered (default 1,024 bytes) */
  maxLineBytes?: number;
  /** rejections listed in the report with their line numbers (default 1,000; all are counted) */
  maxRejectionsListed?: number;
  now?: () => number;
  /** called after every batch */
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  lines: number;
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface Rejection {
  line: number;
  /** what is wrong, never the value itself */
  reason: string;
}

export interface ImportReport extends ImportProgress {
  /** the first `maxRejectionsListed` rejections, in line order */
  rejections: Rejection[];
  /** true when line 1 was taken as a header */
  header: boolean;
}

/** A first line whose second field holds no digit is a header, e.g. `name,idNumber` or `姓名,身份证号`. */
function looksLikeHeader(fields: string[] | null): boolean {
  return fields !== null && fields.length === 2 && !/[0-9]/.test(fields[1]!);
}

/**
 * Reads `name,idNumber` records (UTF-8 with or without BOM, LF or CRLF, optional header line) and
 * upserts their keyed hashes. Bad lines are skipped and counted; the rest are written in batches,
 * one transaction each, so memory stays bounded whatever the file's size. A number that appears
 * again (in the file or already in the registry) takes the latest name.
 */
export async function importHashedCsv(
  store: Store,
  hasher: IdentityHasher,
  input: AsyncIterable<Uint8Array | string>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  // one SELECT parameter per row: at most 10,000 keeps under SQLite's 32,766-variable limit
  const batchSize = Math.min(Math.max(Math.trunc(options.batchSize ?? 5000), 1), 10_000);
  const maxListed = options.maxRejectionsListed ?? 1000;
  const now = options.now ?? Date.now;
  const report: ImportReport = { lines: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0, rejections: [], header: false };
  let batch: HashedIdentity[] = [];
  let sawContent = false;

  const reject = (line: number, reason: string): void => {
    report.rejected++;
    if (report.rejections.length < maxListed) report.rejections.push({ line, reason });
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const counts = await upsertHashedIdentities(store, batch, now());
    report.imported += counts.imported;
    report.updated += counts.updated;
    report.unchanged += counts.unchanged;
    batch = [];
    options.onProgress?.({ lines: report.lines, imported: report.imported, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected });
  };

  await claimRegistryKey(store, hasher);
  const today = new Date(now());
  const restoreCache = await widenSqliteCache(store);
  try {
    for await (const group of csvLines(input, options.maxLineBytes ?? 1024)) {
      for (const line of group) {
        report.lines = line.lineNo;
        if ('problem' in line) {
          sawContent = true;
          reject(line.lineNo, line.problem);
          continue;
        }
        if (line.text.trim() === '') continue;
        const fields = splitCsvRecord(line.text);
        if (!sawContent) {
          sawContent = true;
          if (looksLikeHeader(fields)) {
            report.header = true;
            continue;
          }
        }
        if (fields === null) {
          reject(line.lineNo, 'unbalanced quotes');
          continue;
        }
        if (fields.length !== 2) {
          reject(line.lineNo, `expected 2 fields (name,idNumber), found ${fields.length}`);
          continue;
        }
        try {
          batch.push(hashIdentity(hasher, { name: fields[0]!, idNumber: fields[1]! }, today));
        } catch (err) {
          if (!(err instanceof InvalidIdentity)) throw err;
          reject(line.lineNo, err.field === 'name' ? 'invalid name' : 'invalid ID number');
          continue;
        }
        if (batch.length >= batchSize) await flush();
      }
    }
    await flush();
  } finally {
    await restoreCache();
  }
  return report;
}

/**
 * Keys are HMACs, so every insert lands on a random page of the registry's b-tree: with
 * SQLite's default 2 MB page cache a large import spends its time re-reading pages. A 64 MB
 * cache for the duration of the import keeps the upper levels and many leaves in memory.
 */
async function widenSqliteCache(store: Store): Promise<() => Promise<void>> {
  if (store.dialect !== 'sqlite') return async () => {};
  const before = await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(store.db);
  const size = Number(before.rows[0]?.cache_size ?? -2000);
  await sql.raw(`PRAGMA cache_size = ${IMPORT_CACHE_KIB * -1}`).execute(store.db);
  return async () => {
    await sql.raw(`PRAGMA cache_size = ${Math.trunc(size)}`).execute(store.db);
  };
}

const IMPORT_CACHE_KIB = 64 * 1024;
