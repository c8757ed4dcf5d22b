import { useState } from 'react';
import { App, Button, Card, Form, Input, Radio, Table, Tag, Typography } from 'antd';
import { api, chinaTime, download, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { PRODUCT_NAMES, type Invoice, type InvoiceableOrder, type Page } from '../../lib/types.ts';

export const INVOICE_STATUS: Record<string, [string, string]> = { requested: ['待开具', 'orange'], issued: ['已开具', 'green'], rejected: ['已驳回', 'red'] };

export default function Invoices() {
  const t = useT();
  const { message } = App.useApp();
  const invoiceable = useLoad(() => api<{ orders: InvoiceableOrder[]; pendingFen: number }>('console', '/invoices/invoiceable'));
  const [page, setPage] = useState(1);
  const invoices = useLoad(() => api<Page<Invoice>>('console', `/invoices?page=${page}&pageSize=10`), [page]);
  const [selected, setSelected] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const orders = invoiceable.data?.orders ?? [];
  const amount = orders.filter((o) => selected.includes(o.orderId)).reduce((s, o) => s + o.amountFen, 0);

  const request = async (values: { title: string; taxId: string; type: 'normal' | 'special'; email: string }) => {
    setBusy(true);
    try {
      await api('console', '/invoices', { body: { ...values, orderIds: selected } });
      message.success(t('发票申请已提交'));
      setSelected([]);
      invoiceable.reload();
      invoices.reload();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <PageTitle>{t('发票管理')}</PageTitle>
      <LoadError error={invoiceable.error ?? invoices.error} />
      <Card title={t('索取发票：勾选订单')}>
        <Table rowKey="orderId" size="small" dataSource={orders} pagination={false} scroll={{ x: 'max-content' }} data-testid="invoiceable"
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
          columns={[
            { title: t('订单编号'), dataIndex: 'orderId' },
            { title: t('产品名称'), dataIndex: 'productCode', render: (v: string) => t(PRODUCT_NAMES[v] ?? v) },
            { title: t('订单支付时间'), dataIndex: 'paidAt', render: (v: number) => chinaTime(v) },
            { title: t('订单实付金额'), dataIndex: 'amountFen', render: yuan },
          ]} />
        <Typography.Paragraph style={{ margin: '12px 0' }}>
          {t('待开发票金额')}: <b data-testid="invoice-amount">{yuan(amount)}</b>
          <Typography.Text type="secondary"> （{t('可开票总额')} {yuan(invoiceable.data?.pendingFen ?? 0)}）</Typography.Text>
        </Typography.Paragraph>
        <Form layout="vertical" onFinish={request} initialValues={{ type: 'normal' }} style={{ maxWidth: 520 }}>
          <Form.Item name="title" label={t('发票抬头')} rules={[{ required: true }]}><Input data-testid="invoice-title" /></Form.Item>
          <Form.Item name="taxId" label={t('纳税人识别号')} rules={[{ required: true, pattern: /^[0-9A-Z]{15,20}$/, message: t('15 到 20 位数字或大写字母') }]}><Input data-testid="invoice-taxid" /></Form.Item>
          <Form.Item name="type" label={t('发票类型')}><Radio.Group options={[{ value: 'normal', label: t('增值税普通发票') }, { value: 'special', label: t('增值税专用发票') }]} /></Form.Item>
          <Form.Item name="email" label={t('接收邮箱')} rules={[{ required: true, type: 'email' }]}><Input data-testid="invoice-email" /></Form.Item>
          <Button type="primary" htmlType="submit" disabled={!selected.length} loading={busy} data-testid="invoice-submit">{t('索取发票')}</Button>
        </Form>
      </Card>
      <Card title={t('发票记录')} style={{ marginTop: 16 }}>
        <Table rowKey="id" size="small" loading={invoices.loading} dataSource={invoices.data?.items ?? []} scroll={{ x: 'max-content' }} data-testid="invoices"
          pagination={{ current: page, pageSize: 10, total: invoices.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: t('申请编号'), dataIndex: 'id' },
            { title: t('发票抬头'), dataIndex: 'title' },
            { title: t('金额'), dataIndex: 'amountFen', render: yuan },
            { title: t('状态'), dataIndex: 'status', render: (v: string, i: Invoice) => <span data-testid={`invoice-status-${i.id}`}><Tag color={INVOICE_STATUS[v]?.[1]}>{t(INVOICE_STATUS[v]?.[0] ?? v)}</Tag>{i.rejectReason}</span> },
            { title: t('发票号码'), dataIndex: 'number' },
            { title: t('申请时间'), dataIndex: 'createdAt', render: (v: number) => chinaTime(v) },
            { title: t('操作'), render: (_: unknown, i: Invoice) => i.hasPdf && <Button size="small" type="link" onClick={() => download('console', `/invoices/${i.id}/pdf`, `invoice-${i.id}.pdf`)}>{t('下载 PDF')}</Button> },
          ]} />
      </Card>
    </div>
  );
}
