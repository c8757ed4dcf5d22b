import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, chinaTime, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { BuyerSummary, Page, Product } from '../../lib/types.ts';

interface BuyerDetail extends BuyerSummary {
  packages: Array<{ id: number; productCode: string; used: number; total: number; validFrom: number; validTo: number; status: string; source: string }>;
}

function BuyerModal({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const detail = useLoad(() => api<{ buyer: BuyerDetail }>('admin', `/buyers/${id}`), [id]);
  const products = useLoad(() => api<{ products: Product[] }>('admin', '/products'));
  const b = detail.data?.buyer;
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
              <Form.Item name="product" rules={[{ required: true }]}><Select style={{ width: 160 }} placeholder={t('产品')} options={(products.data?.products ?? []).map((p) => ({ value: p.code, label: p.name }))} /></Form.Item>
              <Form.Item name="calls" rules={[{ required: true }]}><InputNumber min={1} placeholder={t('次数')} /></Form.Item>
              <Form.Item name="days" rules={[{ required: true }]}><InputNumber min={1} max={3650} placeholder={t('天')} /></Form.Item>
              <Form.Item name="reason" rules={[{ required: true }]}><Input placeholder={t('原因')} /></Form.Item>
              <Button htmlType="submit">{t('赠送')}</Button>
            </Form>
          </Card>
          <Table size="small" rowKey="id" pagination={false} dataSource={b.packages} scroll={{ x: true }} columns={[
            { title: t('套餐包ID'), dataIndex: 'id' },
            { title: t('产品'), dataIndex: 'productCode' },
            { title: t('使用/总量'), render: (_: unknown, p: BuyerDetail['packages'][number]) => `${p.used}/${p.total}` },
            { title: t('到期时间'), dataIndex: 'validTo', render: (v: number) => chinaTime(v, false) },
            { title: t('状态'), dataIndex: 'status' },
            { title: t('来源'), dataIndex: 'source' },
            { title: t('操作'), render: (_: unknown, p: BuyerDetail['packages'][number]) => (
              <Button size="small" type="link" danger onClick={() => {
                const reason = prompt(t('退款原因'));
                if (reason) void run(() => api('admin', `/packages/${p.id}/refund`, { body: { reason } }), t('已退款'));
              }}>{t('退款')}</Button>
            ) },
          ]} />
        </>
      )}
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
        <Table rowKey="id" size="middle" loading={buyers.loading} dataSource={buyers.data?.items ?? []} scroll={{ x: true }} data-testid="buyers"
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
