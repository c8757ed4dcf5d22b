import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Segmented, Space, Table, Tag, Upload } from 'antd';
import { api, chinaTime, download, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { INVOICE_STATUS } from '../console/Invoices.tsx';
import type { Invoice, Page } from '../../lib/types.ts';

export default function AdminInvoices() {
  const t = useT();
  const { message } = App.useApp();
  const [status, setStatus] = useState('requested');
  const [page, setPage] = useState(1);
  const invoices = useLoad(() => api<Page<Invoice>>('admin', `/invoices?page=${page}&pageSize=20${status ? `&status=${status}` : ''}`), [status, page]);
  const [issuing, setIssuing] = useState<Invoice>();
  const [pdf, setPdf] = useState<File>();
  const [rejecting, setRejecting] = useState<Invoice>();

  const issue = async (v: { number: string }) => {
    if (!issuing || !pdf) return;
    const form = new FormData();
    form.append('number', v.number);
    form.append('pdf', pdf, pdf.name);
    try {
      await api('admin', `/invoices/${issuing.id}/issue`, { form });
      message.success(t('发票已开具'));
      setIssuing(undefined);
      setPdf(undefined);
      invoices.reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  const reject = async (v: { reason: string }) => {
    try {
      await api('admin', `/invoices/${rejecting!.id}/reject`, { body: v });
      setRejecting(undefined);
      invoices.reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  return (
    <div>
      <PageTitle>{t('发票队列')}</PageTitle>
      <LoadError error={invoices.error} />
      <Card>
        <Segmented style={{ marginBottom: 12 }} value={status} onChange={(v) => { setStatus(String(v)); setPage(1); }}
          options={[{ value: '', label: t('全部') }, ...Object.entries(INVOICE_STATUS).map(([value, [label]]) => ({ value, label: t(label) }))]} />
        <Table rowKey="id" size="middle" loading={invoices.loading} dataSource={invoices.data?.items ?? []} scroll={{ x: 'max-content' }} data-testid="invoice-queue"
          pagination={{ current: page, pageSize: 20, total: invoices.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: t('申请编号'), dataIndex: 'id' },
            { title: t('买家'), dataIndex: 'buyerId' },
            { title: t('发票抬头'), dataIndex: 'title' },
            { title: t('纳税人识别号'), dataIndex: 'taxId' },
            { title: t('类型'), dataIndex: 'type', render: (v: string) => (v === 'special' ? t('增值税专用发票') : t('增值税普通发票')) },
            { title: t('金额'), dataIndex: 'amountFen', render: yuan },
            { title: t('订单'), dataIndex: 'orderIds', render: (v: number[]) => v.join(', ') },
            { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color={INVOICE_STATUS[v]?.[1]}>{t(INVOICE_STATUS[v]?.[0] ?? v)}</Tag> },
            { title: t('申请时间'), dataIndex: 'createdAt', render: (v: number) => chinaTime(v) },
            { title: t('操作'), render: (_: unknown, i: Invoice) => (
              <Space>
                {i.status === 'requested' && <Button size="small" type="primary" onClick={() => setIssuing(i)} data-testid={`issue-${i.id}`}>{t('开具')}</Button>}
                {i.status === 'requested' && <Button size="small" danger onClick={() => setRejecting(i)}>{t('驳回')}</Button>}
                {i.hasPdf && <Button size="small" type="link" onClick={() => download('admin', `/invoices/${i.id}/pdf`, `invoice-${i.id}.pdf`)}>PDF</Button>}
              </Space>
            ) },
          ]} />
      </Card>
      <Modal open={!!issuing} title={`${t('开具发票')} #${issuing?.id ?? ''} · ${issuing ? yuan(issuing.amountFen) : ''}`} onCancel={() => setIssuing(undefined)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={issue}>
          <Form.Item name="number" label={t('发票号码')} rules={[{ required: true }]}><Input data-testid="issue-number" /></Form.Item>
          <Form.Item label={t('发票 PDF')} required>
            <Upload accept="application/pdf" maxCount={1} beforeUpload={(f) => { setPdf(f); return false; }} onRemove={() => setPdf(undefined)} data-testid="issue-pdf">
              <Button>{t('选择 PDF 文件')}</Button>
            </Upload>
          </Form.Item>
          <Button type="primary" htmlType="submit" disabled={!pdf} data-testid="issue-submit">{t('开具')}</Button>
        </Form>
      </Modal>
      <Modal open={!!rejecting} title={`${t('驳回')} #${rejecting?.id ?? ''}`} onCancel={() => setRejecting(undefined)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={reject}>
          <Form.Item name="reason" label={t('原因')} rules={[{ required: true }]}><Input.TextArea rows={3} /></Form.Item>
          <Button danger htmlType="submit">{t('驳回')}</Button>
        </Form>
      </Modal>
    </div>
  );
}
