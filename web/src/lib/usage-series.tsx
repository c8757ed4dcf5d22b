// Calls per hour or day by result code (GET /{console,admin}/api/usage/series): stacked bars over
// the last 24 hours or 30 days in China time, and under them the same numbers as a table (per
// result code: calls and billed calls), which is also what the browser tests read.
import { useMemo, type HTMLAttributes, type ReactNode } from 'react';
import { Card, Table } from 'antd';
import { api, type Door } from './api.ts';
import { useLoad } from './hooks.ts';
import { useT } from './i18n.tsx';
import { Chart } from './chart.tsx';
import { LoadError } from './ui.tsx';
import type { UsageSeries } from './types.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;

/** the seed's result codes, coloured: success green, the caller's faults orange, ours red */
const CODE_COLORS: Record<string, string> = {
  '01': '#52c41a', '02': '#faad14', '03': '#fa8c16', '04': '#d48806', '-1': '#8c8c8c', '-2': '#597ef7',
  '-3': '#9254de', '-4': '#13c2c2', '-5': '#f5222d', '202': '#eb2f96', '203': '#cf1322', '205': '#a8071a',
};
const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4'];

export type Bucket = 'hour' | 'day';

/** the last 24 hours or 30 days, ending at the end of the current China-time hour or day */
export function usageWindow(bucket: Bucket, now = Date.now()) {
  const step = bucket === 'hour' ? HOUR : DAY;
  const to = Math.floor((now + CHINA) / step) * step - CHINA + step;
  return { from: to - (bucket === 'hour' ? 24 : 30) * step, to, step };
}

export function slotLabel(bucket: Bucket, ms: number): string {
  const d = new Date(ms + CHINA);
  const p = (n: number) => String(n).padStart(2, '0');
  return bucket === 'hour' ? `${p(d.getUTCHours())}:00` : `${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
}

export function UsageSeriesCard({ door, bucket, product, appId, buyerId, title, extra }: {
  door: Door; bucket: Bucket; product?: string; appId?: number; buyerId?: number; title: string;
  extra?: (total: { calls: number; billed: number }) => ReactNode;
}) {
  const t = useT();
  // the window is fixed when the choices change, so the bars and the axis agree
  const { from, to, step } = useMemo(() => usageWindow(bucket), [bucket, product, appId, buyerId]);
  const query = new URLSearchParams({ from: String(from), to: String(to), bucket });
  if (product) query.set('product', product);
  if (appId !== undefined) query.set('appId', String(appId));
  if (buyerId !== undefined) query.set('buyerId', String(buyerId));
  const series = useLoad(() => api<UsageSeries>(door, `/usage/series?${query}`), [door, query.toString()]);

  const slots: number[] = [];
  for (let s = from; s < to; s += step) slots.push(s);
  const points = series.data?.points ?? [];
  const codes = [...new Set([...(series.data?.codes ?? []), ...points.map((p) => p.code)])];
  const byCode = new Map<string, number[]>(codes.map((c) => [c, slots.map(() => 0)]));
  const rows = new Map<string, { code: string; calls: number; billed: number }>(codes.map((c) => [c, { code: c, calls: 0, billed: 0 }]));
  for (const p of points) {
    const i = Math.floor((p.t - from) / step);
    if (i >= 0 && i < slots.length) byCode.get(p.code)![i]! += p.calls;
    const row = rows.get(p.code)!;
    row.calls += p.calls;
    row.billed += p.billed;
  }
  const table = [...rows.values()].filter((r) => r.calls > 0 || r.billed > 0);
  const total = table.reduce((s, r) => ({ calls: s.calls + r.calls, billed: s.billed + r.billed }), { calls: 0, billed: 0 });
  return (
    <Card title={title} extra={extra?.(total)} data-testid="usage-series">
      <LoadError error={series.error} />
      <Chart testId="usage-chart" height={280} option={{
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0, type: 'scroll' },
        grid: { left: 40, right: 12, top: 36, bottom: 28, containLabel: false },
        xAxis: { type: 'category', data: slots.map((s) => slotLabel(bucket, s)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: codes.map((c, i) => ({
          type: 'bar', stack: 'calls', name: `${t('结果码')} ${c}`, data: byCode.get(c),
          itemStyle: { color: CODE_COLORS[c] ?? PALETTE[i % PALETTE.length] },
        })),
      }} />
      <Table size="small" rowKey="code" pagination={false} dataSource={table} style={{ marginTop: 12 }} data-testid="usage-table"
        locale={{ emptyText: t('这段时间没有调用') }}
        onRow={(r) => ({ 'data-testid': `usage-row-${r.code}` } as HTMLAttributes<HTMLElement>)}
        columns={[
          { title: t('结果码'), dataIndex: 'code' },
          { title: t('调用'), dataIndex: 'calls', render: (v: number) => <span data-testid="calls">{v}</span> },
          { title: t('计费'), dataIndex: 'billed', render: (v: number) => <span data-testid="billed">{v}</span> },
        ]}
        summary={() => table.length > 1 ? (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}>{t('合计')}</Table.Summary.Cell>
            <Table.Summary.Cell index={1}>{total.calls}</Table.Summary.Cell>
            <Table.Summary.Cell index={2}>{total.billed}</Table.Summary.Cell>
          </Table.Summary.Row>
        ) : undefined} />
    </Card>
  );
}
