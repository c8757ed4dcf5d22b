import { useMemo, useState } from 'react';
import { Alert, Card, Col, Row, Segmented, Select, Space } from 'antd';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { Chart } from '../../lib/chart.tsx';
import type { AppSummary, BreakdownRow, Service, UsagePage } from '../../lib/types.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;

/** every billed 10-minute record of the period, page by page (100 a page) */
async function allRecords(product: string, from: number, to: number) {
  const out: UsagePage['records'] = [];
  for (let page = 1; page <= 50; page++) {
    const r = await api<UsagePage>('console', `/services/${product}/usage?from=${from}&to=${to}&page=${page}&pageSize=100`);
    out.push(...r.records);
    if (out.length >= r.total || r.records.length === 0) break;
  }
  return out;
}

export default function Usage() {
  const t = useT();
  const [span, setSpan] = useState<'hour' | 'day'>('hour');
  const services = useLoad(() => api<{ services: Service[] }>('console', '/services'));
  const [product, setProduct] = useState<string>();
  const code = product ?? services.data?.services[0]?.productCode ?? 'idcard-ocr';
  // the window is fixed when the page (or its choices) load, so the charts and the axes agree
  const { from, to } = useMemo(() => {
    const now = Date.now();
    const step = span === 'hour' ? HOUR : DAY;
    const end = Math.floor((now + CHINA) / step) * step - CHINA + step;
    return { from: end - (span === 'hour' ? 24 : 30) * step, to: end };
  }, [span, code]);
  const step = span === 'hour' ? HOUR : DAY;
  const records = useLoad(() => allRecords(code, from, to), [code, from, to]);
  const byCode = useLoad(() => api<{ rows: BreakdownRow[] }>('console', `/usage/breakdown?by=code&product=${code}&from=${from}&to=${to}`), [code, from, to]);
  const byApp = useLoad(() => api<{ rows: BreakdownRow[] }>('console', `/usage/breakdown?by=app&product=${code}&from=${from}&to=${to}`), [code, from, to]);
  const apps = useLoad(() => api<{ apps: AppSummary[] }>('console', '/apps').catch(() => ({ apps: [] as AppSummary[] })));

  const slots: number[] = [];
  for (let s = from; s < to; s += step) slots.push(s);
  const counts = new Map<number, number>();
  for (const r of records.data ?? []) {
    const slot = from + Math.floor((r.windowStart - from) / step) * step;
    counts.set(slot, (counts.get(slot) ?? 0) + r.calls);
  }
  const label = (ms: number) => {
    const d = new Date(ms + CHINA);
    const p = (n: number) => String(n).padStart(2, '0');
    return span === 'hour' ? `${p(d.getUTCHours())}:00` : `${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  };
  const appName = (key: string) => {
    const a = apps.data?.apps.find((x) => String(x.id) === key);
    return a ? a.name || `${t('应用')} #${a.id}` : key ? `#${key}` : t('未知');
  };
  const totalCalls = (byCode.data?.rows ?? []).reduce((s, r) => s + r.calls, 0);
  return (
    <div>
      <PageTitle>{t('使用情况')}</PageTitle>
      <LoadError error={records.error ?? byCode.error} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select style={{ minWidth: 200 }} value={code} onChange={setProduct} options={(services.data?.services ?? []).map((s) => ({ value: s.productCode, label: s.productName }))} />
        <Segmented value={span} onChange={(v) => setSpan(v as 'hour' | 'day')} options={[{ value: 'hour', label: t('近 24 小时（按小时）') }, { value: 'day', label: t('近 30 天（按天）') }]} data-testid="span" />
      </Space>
      <Card title={t('计费调用次数')} extra={<span data-testid="total-calls">{t('全部调用')}: {totalCalls}</span>}>
        <Chart testId="usage-chart" option={{
          tooltip: { trigger: 'axis' },
          grid: { left: 40, right: 16, top: 16, bottom: 40 },
          xAxis: { type: 'category', data: slots.map(label) },
          yAxis: { type: 'value', minInterval: 1 },
          series: [{ type: 'bar', name: t('计费调用'), data: slots.map((s) => counts.get(s) ?? 0), itemStyle: { color: '#ff6a00' } }],
        }} />
      </Card>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={12}>
          <Card title={t('按结果码')}>
            <Chart testId="code-chart" height={240} option={{
              tooltip: { trigger: 'axis' }, legend: { top: 0 },
              grid: { left: 40, right: 16, top: 32, bottom: 32 },
              xAxis: { type: 'category', data: (byCode.data?.rows ?? []).map((r) => r.key) },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                { type: 'bar', name: t('调用'), data: (byCode.data?.rows ?? []).map((r) => r.calls) },
                { type: 'bar', name: t('计费'), data: (byCode.data?.rows ?? []).map((r) => r.billed) },
              ],
            }} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('按应用')}>
            <Chart testId="app-chart" height={240} option={{
              tooltip: { trigger: 'axis' }, legend: { top: 0 },
              grid: { left: 40, right: 16, top: 32, bottom: 32 },
              xAxis: { type: 'category', data: (byApp.data?.rows ?? []).map((r) => appName(r.key)) },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                { type: 'bar', name: t('调用'), data: (byApp.data?.rows ?? []).map((r) => r.calls) },
                { type: 'bar', name: t('计费'), data: (byApp.data?.rows ?? []).map((r) => r.billed) },
              ],
            }} />
          </Card>
        </Col>
      </Row>
      <Alert style={{ marginTop: 16 }} type="info" showIcon title={t('时间按北京时间（UTC+8）统计；调用次数每 10 分钟汇总一次。')} />
    </div>
  );
}
