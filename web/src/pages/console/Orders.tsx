import { useState } from 'react';
import { App, Button, Card, Segmented, Space, Table, Tag } from 'antd';
import { api, chinaTime, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { PRODUCT_NAMES, type Order, type Page } from '../../lib/types.ts';

export const ORDER_STATUS: Record<string, [string, string]> = {
  unpaid: ['未支付', 'orange'], paid: ['已支付', 'green'], cancelled: ['已取消', 'default'], expired: ['已过期', 'default'],
};

export default function Orders() {
  const t = useT();
  const { message } = App.useApp();
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const orders = useLoad(() => api<Page<Order>>('console', `/orders?page=${page}&pageSize=10${status ? `&status=${status}` : ''}`), [status, page]);
  const act = async (o: Order, what: 'pay' | 'cancel') => {
    try {
      await api('console', `/orders/${o.id}/${what}`, { method: 'POST' });
      message.success(what === 'pay' ? t('已支付') : t('已取消'));
      orders.reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  return (
    <div>
      <PageTitle>{t('订单列表')}</PageTitle>
      <LoadError error={orders.error} />
      <Card>
        <Segmented style={{ marginBottom: 12 }} value={status} onChange={(v) => { setStatus(String(v)); setPage(1); }}
          options={[{ value: '', label: t('全部') }, ...Object.entries(ORDER_STATUS).map(([value, [label]]) => ({ value, label: t(label) }))]} />
        <Table rowKey="id" size="middle" loading={orders.loading} dataSource={orders.data?.items ?? []} scroll={{ x: 'max-content' }} data-testid="orders"
          pagination={{ current: page, pageSize: 10, total: orders.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: t('订单编号'), dataIndex: 'id' },
            { title: t('产品名称'), dataIndex: 'productCode', render: (v: string) => t(PRODUCT_NAMES[v] ?? v) },
            { title: t('套餐'), render: (_: unknown, o: Order) => `${o.calls}${t('次')} × ${o.quantity}` },
            { title: t('金额'), dataIndex: 'amountFen', render: yuan },
            { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color={ORDER_STATUS[v]?.[1]}>{t(ORDER_STATUS[v]?.[0] ?? v)}</Tag> },
            { title: t('创建时间'), dataIndex: 'createdAt', render: (v: number) => chinaTime(v) },
            { title: t('支付时间'), dataIndex: 'paidAt', render: (v: number | null) => chinaTime(v) },
            { title: t('操作'), render: (_: unknown, o: Order) => o.status === 'unpaid' && (
              <Space><Button size="small" type="primary" onClick={() => act(o, 'pay')}>{t('余额支付')}</Button><Button size="small" onClick={() => act(o, 'cancel')}>{t('取消')}</Button></Space>
            ) },
          ]} />
      </Card>
    </div>
  );
}
