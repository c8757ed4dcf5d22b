import { useState } from 'react';
import { Card, Segmented, Table, Tag } from 'antd';
import { api, chinaTime, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { ORDER_STATUS } from '../console/Orders.tsx';
import type { Order, Page } from '../../lib/types.ts';

export default function AdminOrders() {
  const t = useT();
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const orders = useLoad(() => api<Page<Order>>('admin', `/orders?page=${page}&pageSize=20${status ? `&status=${status}` : ''}`), [status, page]);
  return (
    <div>
      <PageTitle>{t('订单')}</PageTitle>
      <LoadError error={orders.error} />
      <Card>
        <Segmented style={{ marginBottom: 12 }} value={status} onChange={(v) => { setStatus(String(v)); setPage(1); }}
          options={[{ value: '', label: t('全部') }, ...Object.entries(ORDER_STATUS).map(([value, [label]]) => ({ value, label: t(label) }))]} />
        <Table rowKey="id" size="middle" loading={orders.loading} dataSource={orders.data?.items ?? []} scroll={{ x: 'max-content' }}
          pagination={{ current: page, pageSize: 20, total: orders.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: t('订单编号'), dataIndex: 'id' },
            { title: t('买家'), dataIndex: 'buyerId' },
            { title: t('产品'), dataIndex: 'productCode' },
            { title: t('套餐'), render: (_: unknown, o: Order) => `${o.calls}${t('次')} × ${o.quantity}` },
            { title: t('金额'), dataIndex: 'amountFen', render: yuan },
            { title: t('状态'), dataIndex: 'status', render: (v: string) => <Tag color={ORDER_STATUS[v]?.[1]}>{t(ORDER_STATUS[v]?.[0] ?? v)}</Tag> },
            { title: t('创建时间'), dataIndex: 'createdAt', render: (v: number) => chinaTime(v) },
            { title: t('支付时间'), dataIndex: 'paidAt', render: (v: number | null) => chinaTime(v) },
          ]} />
      </Card>
    </div>
  );
}
