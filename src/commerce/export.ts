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

async function* recordPages(db: Db, scope: UsageExportScope): AsyncGenerator<UsageRecord[]> {
  for (let page = 1; ; page++) {
    const { records } = await usageRecords(db, { ...scope, page, pageSize: PAGE });
    if (records.length) yield records;
    if (records.length < PAGE) return;
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
