import { useMemo, useState } from 'react';
import { Card, Segmented, Select, Space, Table } from 'antd';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { Chart } from '../../lib/chart.tsx';
import { UsageSeriesCard, type Bucket } from '../../lib/usage-series.tsx';
import { PRODUCT_NAMES, type BreakdownRow, type BuyerSummary, type Page } from '../../lib/types.ts';

const DAY = 24 * 3600_000;

export default function AdminUsage() {
  const t = useT();
  const [bucket, setBucket] = useState<Bucket>('hour');
  const [product, setProduct] = useState('');
  const [buyerId, setBuyerId] = useState<number | ''>('');
  const [search, setSearch] = useState('');
  const buyers = useLoad(() => api<Page<BuyerSummary>>('admin', `/buyers?page=1&pageSize=50${search ? `&search=${encodeURIComponent(search)}` : ''}`), [search]);
  const [by, setBy] = useState<'buyer' | 'product' | 'code' | 'app'>('buyer');
  const [days, setDays] = useState(1);
  const { from, to } = useMemo(() => {
    const now = Date.now();
    return { from: now - days * DAY, to: now + 60_000 };
  }, [days, by, buyerId, product]);
  const filter = `${buyerId !== '' ? `&buyerId=${buyerId}` : ''}${product ? `&product=${product}` : ''}`;
  const rows = useLoad(() => api<{ rows: BreakdownRow[] }>('admin', `/usage?by=${by}&from=${from}&to=${to}${filter}`), [by, from, to, filter]);
  const buyerName = (key: string) => buyers.data?.items.find((b) => String(b.id) === key)?.name ?? `#${key}`;
  const data = (rows.data?.rows ?? []).map((r) => ({ ...r, label: by === 'buyer' ? buyerName(r.key) : r.key || '—' }));
  return (
    <div>
      <PageTitle>{t('调用统计')}</PageTitle>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select style={{ minWidth: 200 }} value={buyerId} onChange={setBuyerId} showSearch={{ filterOption: false, onSearch: setSearch }} data-testid="usage-buyer"
          options={[{ value: '' as const, label: t('全部买家') }, ...(buyers.data?.items ?? []).map((b) => ({ value: b.id, label: `${b.name} (${b.email ?? b.id})` }))]} />
        <Select style={{ minWidth: 180 }} value={product} onChange={setProduct}
          options={[{ value: '', label: t('全部产品') }, ...Object.entries(PRODUCT_NAMES).map(([value, label]) => ({ value, label: t(label) }))]} />
        <Segmented value={bucket} onChange={(v) => setBucket(v as Bucket)}
          options={[{ value: 'hour', label: t('近 24 小时（按小时）') }, { value: 'day', label: t('近 30 天（按天）') }]} />
      </Space>
      <UsageSeriesCard door="admin" bucket={bucket} product={product || undefined} buyerId={buyerId === '' ? undefined : buyerId}
        title={t('调用次数（按结果码）')} extra={(total) => <span data-testid="total-calls">{t('全部调用')}: {total.calls}</span>} />
      <Card title={t('分组统计')} style={{ marginTop: 16 }}>
        <LoadError error={rows.error} />
        <Space wrap style={{ marginBottom: 12 }}>
          <Segmented value={by} onChange={(v) => setBy(v as typeof by)} options={[{ value: 'buyer', label: t('按买家') }, { value: 'product', label: t('按产品') }, { value: 'code', label: t('按结果码') }, { value: 'app', label: t('按应用') }]} />
          <Segmented value={days} onChange={(v) => setDays(Number(v))} options={[{ value: 1, label: t('24 小时') }, { value: 7, label: t('7 天') }, { value: 30, label: t('30 天') }]} />
        </Space>
        <Chart testId="admin-usage-chart" height={260} option={{
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } }, legend: { top: 0 },
          grid: { left: 48, right: 16, top: 32, bottom: 32 },
          xAxis: { type: 'category', data: data.map((r) => r.label) },
          yAxis: { type: 'value', minInterval: 1 },
          series: [{ type: 'bar', name: t('调用'), data: data.map((r) => r.calls) }, { type: 'bar', name: t('计费'), data: data.map((r) => r.billed) }],
        }} />
        <Table size="small" rowKey="key" pagination={false} dataSource={data} style={{ marginTop: 12 }} data-testid="admin-usage" scroll={{ x: 'max-content' }}
          columns={[{ title: t('分组'), dataIndex: 'label' }, { title: t('调用'), dataIndex: 'calls' }, { title: t('计费'), dataIndex: 'billed' }]} />
      </Card>
    </div>
  );
}
