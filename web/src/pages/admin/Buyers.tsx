import { useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, chinaTime, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { BuyerSummary, Page, Product } from '../../lib/types.ts';

interface BuyerDetail extends BuyerSummary {
  packages: Array<{ id: number; productCode: string; used: number; total: number; validFrom: number; validTo: number; status: string; source: string | null }>;
}

function BuyerModal({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const detail = useLoad(() => api<{ buyer: BuyerDetail }>('admin', `/buyers/${id}`), [id]);
  const products = useLoad(() => api<{ products: Product[] }>('admin', '/products'));
  const b = detail.data?.buyer;
  const [refund, setRefund] = useState<BuyerDetail['packages'][number]>();
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      message.success(ok);
      detail.reload();
      onChanged();
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  return (
    <Modal open width={760} title={`${t('买家')} #${id} ${b?.name ?? ''}`} onCancel={onClose} footer={<Button onClick={onClose}>{t('关闭')}</Button>}>
      <LoadError error={detail.error} />
      {b && (
        <>
          <Typography.Paragraph>{b.email} · {t('余额')} <b data-testid="buyer-balance">{yuan(b.balanceFen)}</b> · {b.disabled ? <Tag color="red">{t('已停用')}</Tag> : <Tag color="green">{t('正常')}</Tag>}
            {' '}<Button size="small" danger={!b.disabled} onClick={() => run(() => api('admin', `/buyers/${id}/${b.disabled ? 'enable' : 'disable'}`, { method: 'POST' }), t('已保存'))}>{b.disabled ? t('启用') : t('停用')}</Button>
          </Typography.Paragraph>
          <Card size="small" title={t('充值')} style={{ marginBottom: 12 }}>
            <Form layout="inline" onFinish={(v: { yuan: number; reason: string }) => run(() => api('admin', `/buyers/${id}/topups`, { body: { amountFen: Math.round(v.yuan * 100), reason: v.reason } }), t('已充值'))}>
              <Form.Item name="yuan" rules={[{ required: true }]}><InputNumber min={0.01} step={1} placeholder={t('金额（元）')} data-testid="topup-amount" /></Form.Item>
              <Form.Item name="reason" rules={[{ required: true }]}><Input placeholder={t('原因（如：银行转账流水号）')} data-testid="topup-reason" /></Form.Item>
              <Button htmlType="submit" type="primary" data-testid="topup-submit">{t('充值')}</Button>
            </Form>
          </Card>
          <Card size="small" title={t('赠送调用次数')} style={{ marginBottom: 12 }}>
            <Form layout="inline" initialValues={{ days: 730 }} onFinish={(v: { product: string; calls: number; days: number; reason: string }) => run(() => api('admin', `/buyers/${id}/grants`, { body: v }), t('已赠送'))}>
              <Form.Item name="product" rules={[{ required: true }]}><Select style={{ width: 160 }} placeholder={t('产品')} options={(products.data?.products ?? []).map((p) => ({ value: p.code, label: p.name }))} data-testid="grant-product" /></Form.Item>
              <Form.Item name="calls" rules={[{ required: true }]}><InputNumber min={1} placeholder={t('次数')} data-testid="grant-calls" /></Form.Item>
              <Form.Item name="days" rules={[{ required: true }]}><InputNumber min={1} max={3650} placeholder={t('天')} data-testid="grant-days" /></Form.Item>
              <Form.Item name="reason" rules={[{ required: true }]}><Input placeholder={t('原因')} data-testid="grant-reason" /></Form.Item>
              <Button htmlType="submit" data-testid="grant-submit">{t('赠送')}</Button>
            </Form>
          </Card>
          <Table size="small" rowKey="id" pagination={false} dataSource={b.packages} scroll={{ x: 'max-content' }} data-testid="buyer-packages"
            onRow={(p) => ({ 'data-testid': `package-${p.id}` } as HTMLAttributes<HTMLElement>)} columns={[
            { title: t('套餐包ID'), dataIndex: 'id' },
            { title: t('产品'), dataIndex: 'productCode' },
            { title: t('使用/总量'), render: (_: unknown, p: BuyerDetail['packages'][number]) => `${p.used}/${p.total}` },
            { title: t('到期时间'), dataIndex: 'validTo', render: (v: number) => chinaTime(v, false) },
            { title: t('状态'), dataIndex: 'status', render: (v: string) => <span data-testid="package-status">{t(v)}</span> },
            { title: t('来源'), dataIndex: 'source', render: (v: string | null) => (v === 'admin' ? t('赠送') : v ? v : t('购买')) },
            { title: t('操作'), render: (_: unknown, p: BuyerDetail['packages'][number]) => (
              // bought (not granted), untouched and live: the server checks the rest (the refund window, invoices)
              p.source === null && p.used === 0 && p.status === '正常'
                ? <Button size="small" type="link" danger onClick={() => setRefund(p)} data-testid={`refund-${p.id}`}>{t('退款')}</Button>
                : null
            ) },
          ]} />
        </>
      )}
      <Modal open={!!refund} title={`${t('退款')} · ${t('套餐包ID')} ${refund?.id ?? ''}`} onCancel={() => setRefund(undefined)} footer={null} destroyOnHidden>
        <Typography.Paragraph type="secondary">{t('未使用、未开票的套餐包可在退款期限内退款，金额退回账户余额。')}</Typography.Paragraph>
        <Form layout="vertical" onFinish={async (v: { reason: string }) => {
          await run(() => api('admin', `/packages/${refund!.id}/refund`, { body: { reason: v.reason } }), t('已退款'));
          setRefund(undefined);
        }}>
          <Form.Item name="reason" label={t('退款原因')} rules={[{ required: true, whitespace: true }]}><Input data-testid="refund-reason" /></Form.Item>
          <Button type="primary" danger htmlType="submit" data-testid="refund-submit">{t('退款')}</Button>
        </Form>
      </Modal>
    </Modal>
  );
}

export default function Buyers() {
  const t = useT();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const buyers = useLoad(() => api<Page<BuyerSummary>>('admin', `/buyers?page=${page}&pageSize=20${search ? `&search=${encodeURIComponent(search)}` : ''}`), [page, search]);
  const [open, setOpen] = useState<number>();
  return (
    <div>
      <PageTitle>{t('买家')}</PageTitle>
      <LoadError error={buyers.error} />
      <Card>
        <Space style={{ marginBottom: 12 }}><Input.Search allowClear placeholder={t('名称或邮箱')} onSearch={(v) => { setSearch(v); setPage(1); }} data-testid="buyer-search" /></Space>
        <Table rowKey="id" size="middle" loading={buyers.loading} dataSource={buyers.data?.items ?? []} scroll={{ x: 'max-content' }} data-testid="buyers"
          pagination={{ current: page, pageSize: 20, total: buyers.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: 'ID', dataIndex: 'id' },
            { title: t('名称'), dataIndex: 'name' },
            { title: t('邮箱'), dataIndex: 'email' },
            { title: t('余额'), dataIndex: 'balanceFen', render: yuan },
            { title: t('注册时间'), dataIndex: 'createdAt', render: (v: number) => chinaTime(v) },
            { title: t('状态'), dataIndex: 'disabled', render: (v: boolean) => (v ? <Tag color="red">{t('已停用')}</Tag> : <Tag color="green">{t('正常')}</Tag>) },
            { title: t('操作'), render: (_: unknown, b: BuyerSummary) => <Button size="small" type="link" onClick={() => setOpen(b.id)} data-testid={`buyer-${b.email}`}>{t('管理')}</Button> },
          ]} />
      </Card>
      {open !== undefined && <BuyerModal id={open} onClose={() => setOpen(undefined)} onChanged={buyers.reload} />}
    </div>
  );
}
