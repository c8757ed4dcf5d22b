import { useState } from 'react';
import { App, Button, Card, DatePicker, Modal, Select, Space, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { api, chinaTime, download } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { Link } from '../../lib/router.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { PackageView, Page, Service, UsagePage } from '../../lib/types.ts';

type Range = [Dayjs | null, Dayjs | null] | null;

function rangeQuery(range: Range): string {
  const q = new URLSearchParams();
  if (range?.[0]) q.set('from', String(range[0].startOf('day').valueOf()));
  if (range?.[1]) q.set('to', String(range[1].endOf('day').valueOf() + 1));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function UsageDetail({ pkg, onClose }: { pkg: PackageView; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [range, setRange] = useState<Range>(null);
  const [page, setPage] = useState(1);
  const q = rangeQuery(range);
  const detail = useLoad(() => api<UsagePage>('console', `/packages/${pkg.id}/usage${q}${q ? '&' : '?'}page=${page}&pageSize=10`), [q, page]);
  const exportAs = (ext: 'csv' | 'xlsx') => download('console', `/packages/${pkg.id}/usage.${ext}${q}`, `usage-package-${pkg.id}.${ext}`).catch((e: Error) => message.error(e.message));
  return (
    <Modal open title={`${t('使用明细')} · ${t('套餐包')} ${pkg.id}`} onCancel={onClose} footer={<Button onClick={onClose}>{t('关闭')}</Button>} width={820}>
      <Space wrap style={{ marginBottom: 12 }}>
        <DatePicker.RangePicker value={range} onChange={(v) => { setRange(v as Range); setPage(1); }} data-testid="detail-range" />
        <Button onClick={() => exportAs('csv')} data-testid="export-csv">{t('导出明细')} CSV</Button>
        <Button onClick={() => exportAs('xlsx')} data-testid="export-xlsx">{t('导出明细')} XLSX</Button>
      </Space>
      <LoadError error={detail.error} />
      <Table size="small" rowKey={(r) => r.serial} loading={detail.loading} dataSource={detail.data?.records ?? []} scroll={{ x: 'max-content' }} data-testid="usage-detail"
        pagination={{ current: page, pageSize: 10, total: detail.data?.total ?? 0, onChange: setPage, showTotal: (n) => t('共有{n}条，每页显示：10条', { n }) }}
        columns={[
          { title: t('流水编号'), dataIndex: 'serial' },
          { title: t('处理时间'), dataIndex: 'processedAt' },
          { title: t('备注'), dataIndex: 'note', render: (v: string) => t(v) },
          { title: t('消耗'), dataIndex: 'calls', render: (v: number) => `${v}${t('次')}` },
        ]} />
    </Modal>
  );
}

export default function Packages() {
  const t = useT();
  const services = useLoad(() => api<{ services: Service[] }>('console', '/services'));
  const [product, setProduct] = useState<string>();
  const code = product ?? services.data?.services[0]?.productCode;
  const [page, setPage] = useState(1);
  const packages = useLoad(() => (code ? api<Page<PackageView>>('console', `/services/${code}/packages?page=${page}&pageSize=10`) : Promise.resolve(undefined)), [code, page]);
  const [open, setOpen] = useState<PackageView>();
  const service = services.data?.services.find((s) => s.productCode === code);
  return (
    <div>
      <PageTitle extra={<Link to="/console/products">{t('购买套餐包')}</Link>}>{t('套餐包列表')}</PageTitle>
      <LoadError error={services.error ?? packages.error} />
      <Card>
        <Space wrap style={{ marginBottom: 12 }}>
          <Select style={{ minWidth: 200 }} value={code} onChange={(v) => { setProduct(v); setPage(1); }}
            options={(services.data?.services ?? []).map((s) => ({ value: s.productCode, label: s.productName }))} />
          {service && <span>{t('使用情况')}: <b data-testid="service-usage">{service.used}/{service.total}</b></span>}
        </Space>
        <Table size="middle" rowKey="id" loading={packages.loading} dataSource={packages.data?.items ?? []} scroll={{ x: 'max-content' }} data-testid="packages"
          pagination={{ current: page, pageSize: 10, total: packages.data?.total ?? 0, onChange: setPage, showTotal: (n) => t('共有{n}条，每页显示：10条', { n }) }}
          columns={[
            { title: t('套餐包ID'), dataIndex: 'id' },
            { title: t('套餐包名称'), dataIndex: 'name', render: (v: string) => t(v) },
            { title: t('使用状况 (使用/总量)'), render: (_: unknown, p: PackageView) => <span data-testid={`pkg-usage-${p.id}`}>{p.used}/{p.total}</span> },
            { title: t('到期时间'), render: (_: unknown, p: PackageView) => `${chinaTime(p.validFrom, false)} - ${chinaTime(p.validTo, false)}` },
            { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color={v === '正常' ? 'green' : undefined}>{t(v)}</Tag> },
            { title: t('操作'), render: (_: unknown, p: PackageView) => <Button type="link" size="small" onClick={() => setOpen(p)} data-testid={`detail-${p.id}`}>{t('使用明细')} / {t('导出明细')}</Button> },
          ]} />
      </Card>
      {open && <UsageDetail pkg={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}
