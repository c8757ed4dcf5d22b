import { useMemo, useState } from 'react';
import { Card, Segmented, Space, Table } from 'antd';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { Chart } from '../../lib/chart.tsx';
import type { BreakdownRow } from '../../lib/types.ts';

const DAY = 24 * 3600_000;

export default function AdminUsage() {
  const t = useT();
  const [by, setBy] = useState<'buyer' | 'product' | 'code' | 'app'>('buyer');
  const [days, setDays] = useState(1);
  const { from, to } = useMemo(() => {
    const now = Date.now();
    return { from: now - days * DAY, to: now + 60_000 };
  }, [days, by]);
  const rows = useLoad(() => api<{ rows: BreakdownRow[] }>('admin', `/usage?by=${by}&from=${from}&to=${to}`), [by, from, to]);
  const data = rows.data?.rows ?? [];
  return (
    <div>
      <PageTitle>{t('调用统计')}</PageTitle>
      <LoadError error={rows.error} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented value={by} onChange={(v) => setBy(v as typeof by)} options={[{ value: 'buyer', label: t('按买家') }, { value: 'product', label: t('按产品') }, { value: 'code', label: t('按结果码') }, { value: 'app', label: t('按应用') }]} />
        <Segmented value={days} onChange={(v) => setDays(Number(v))} options={[{ value: 1, label: t('24 小时') }, { value: 7, label: t('7 天') }, { value: 30, label: t('30 天') }]} />
      </Space>
      <Card>
        <Chart testId="admin-usage-chart" height={260} option={{
          tooltip: { trigger: 'axis' }, legend: { top: 0 },
          grid: { left: 48, right: 16, top: 32, bottom: 32 },
          xAxis: { type: 'category', data: data.map((r) => r.key || '—') },
          yAxis: { type: 'value', minInterval: 1 },
          series: [{ type: 'bar', name: t('调用'), data: data.map((r) => r.calls) }, { type: 'bar', name: t('计费'), data: data.map((r) => r.billed) }],
        }} />
        <Table size="small" rowKey="key" pagination={false} dataSource={data} style={{ marginTop: 12 }} data-testid="admin-usage"
          columns={[{ title: t('分组'), dataIndex: 'key' }, { title: t('调用'), dataIndex: 'calls' }, { title: t('计费'), dataIndex: 'billed' }]} />
      </Card>
    </div>
  );
}
