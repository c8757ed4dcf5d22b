import { useMemo, useState } from 'react';
import { Alert, Card, Segmented, Select, Space } from 'antd';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { Chart } from '../../lib/chart.tsx';
import { UsageSeriesCard, usageWindow, type Bucket } from '../../lib/usage-series.tsx';
import { PRODUCT_NAMES, type AppSummary, type BreakdownRow } from '../../lib/types.ts';

export default function Usage() {
  const t = useT();
  const [bucket, setBucket] = useState<Bucket>('hour');
  const [product, setProduct] = useState<string>('');
  const [appId, setAppId] = useState<number | ''>('');
  const apps = useLoad(() => api<{ apps: AppSummary[] }>('console', '/apps').catch(() => ({ apps: [] as AppSummary[] })));
  // calls per app over the same window (every app, whichever one the chart shows)
  const { from, to } = useMemo(() => usageWindow(bucket), [bucket, product]);
  const byApp = useLoad(() => api<{ rows: BreakdownRow[] }>('console', `/usage/breakdown?by=app&from=${from}&to=${to}${product ? `&product=${product}` : ''}`), [from, to, product]);
  const appName = (key: string) => {
    const a = apps.data?.apps.find((x) => String(x.id) === key);
    return a ? a.name || `${t('应用')} #${a.id}` : key ? `#${key}` : t('未知');
  };
  const appRows = byApp.data?.rows ?? [];
  return (
    <div>
      <PageTitle>{t('使用情况')}</PageTitle>
      <LoadError error={byApp.error} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select style={{ minWidth: 180 }} value={product} onChange={setProduct} data-testid="usage-product"
          options={[{ value: '', label: t('全部产品') }, ...Object.entries(PRODUCT_NAMES).map(([value, label]) => ({ value, label: t(label) }))]} />
        <Select style={{ minWidth: 160 }} value={appId} onChange={setAppId} data-testid="usage-app"
          options={[{ value: '' as const, label: t('全部应用') }, ...(apps.data?.apps ?? []).map((a) => ({ value: a.id, label: a.name || `${t('应用')} #${a.id}` }))]} />
        <Segmented value={bucket} onChange={(v) => setBucket(v as Bucket)} data-testid="span"
          options={[{ value: 'hour', label: t('近 24 小时（按小时）') }, { value: 'day', label: t('近 30 天（按天）') }]} />
      </Space>
      <UsageSeriesCard door="console" bucket={bucket} product={product || undefined} appId={appId === '' ? undefined : appId}
        title={t('调用次数（按结果码）')} extra={(total) => <span data-testid="total-calls">{t('全部调用')}: {total.calls}</span>} />
      <Card title={t('按应用')} style={{ marginTop: 16 }}>
        <Chart testId="app-chart" height={Math.max(160, 48 + appRows.length * 36)} option={{
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } }, legend: { top: 0 },
          grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
          yAxis: { type: 'category', data: appRows.map((r) => appName(r.key)), inverse: true },
          xAxis: { type: 'value', minInterval: 1 },
          series: [
            { type: 'bar', name: t('调用'), data: appRows.map((r) => r.calls) },
            { type: 'bar', name: t('计费'), data: appRows.map((r) => r.billed) },
          ],
        }} />
      </Card>
      <Alert style={{ marginTop: 16 }} type="info" showIcon title={t('时间按北京时间（UTC+8）统计。')} />
    </div>
  );
}
