// 导出明细: the usage records as CSV or XLSX, streamed page by page so that a year of records
// leaves memory flat: one page of records is held at a time, and the writer waits for the
// client to drain what was already sent.
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { usageRecords, type UsageRecord } from '../billing/index.ts';
import type { Db } from './types.ts';

const PAGE = 1000;
const HEADER = ['流水编号', '套餐包ID', '处理时间', '备注', '消耗'];

export type UsageExportScope = ({ packageId: number } | { buyerId: number; product: string }) & { from?: number; to?: number };

// The 10-minute grid of the usage records (windows start at hh:m0:01).
const BUCKET_MS = 10 * 60_000;
const BUCKET_OFFSET_MS = 1000;
const CHUNK_MS = 24 * 3600_000;
const alignDown = (t: number) => Math.floor((t - BUCKET_OFFSET_MS) / BUCKET_MS) * BUCKET_MS + BUCKET_OFFSET_MS;

/**
 * The records newest first, one day of windows at a time: each query groups only that day's
 * ledger rows (over the ledger's time index), so a year costs 365 small queries rather than
 * re-grouping the whole year for every page.
 */
async function* recordPages(db: Db, scope: UsageExportScope): AsyncGenerator<UsageRecord[]> {
  const newest = await usageRecords(db, { ...scope, page: 1, pageSize: 1 });
  let remaining = newest.total;
  if (remaining === 0) return;
  let upper = scope.to ?? newest.records[0].windowEnd;
  while (remaining > 0) {
    if (scope.from !== undefined && upper <= scope.from) return;
    let lower = alignDown(upper - CHUNK_MS);
    if (scope.from !== undefined) lower = Math.max(lower, scope.from);
    let got = 0;
    for (let page = 1; ; page++) {
      const { records } = await usageRecords(db, { ...scope, from: lower, to: upper, page, pageSize: PAGE });
      if (records.length) yield records;
      got += records.length;
      if (records.length < PAGE) break;
    }
    remaining -= got;
    upper = lower;
    if (got === 0 && remaining > 0) {
      // a gap without calls: jump to the newest window below it
      const below = await usageRecords(db, { ...scope, to: upper, page: 1, pageSize: 1 });
      if (below.total === 0) return;
      upper = below.records[0].windowEnd;
    }
  }
}

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(r: UsageRecord): Array<string | number> {
  return [r.serial, r.packageId, r.processedAt, r.note, r.consumed];
}

/** CSV with a UTF-8 BOM, so that spreadsheet programs read the Chinese headers. */
export function usageCsv(db: Db, scope: UsageExportScope): Readable {
  return Readable.from((async function* () {
    yield '\ufeff' + HEADER.join(',') + '\r\n';
    for await (const records of recordPages(db, scope)) {
      yield records.map((r) => row(r).map(csvField).join(',')).join('\r\n') + '\r\n';
    }
  })());
}

/** An XLSX workbook written by exceljs's streaming writer into the returned stream. */
export function usageXlsx(db: Db, scope: UsageExportScope): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('使用明细');
  sheet.columns = [{ width: 18 }, { width: 12 }, { width: 44 }, { width: 14 }, { width: 10 }];
  (async () => {
    sheet.addRow(HEADER).commit();
    for await (const records of recordPages(db, scope)) {
      for (const r of records) sheet.addRow(row(r)).commit();
      if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
      if (out.destroyed) return;
    }
    sheet.commit();
    await workbook.commit();
  })().catch((err: unknown) => out.destroy(err as Error));
  return out;
}
