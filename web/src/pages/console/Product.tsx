import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Descriptions, InputNumber, Radio, Row, Table, Tabs, Typography } from 'antd';
import { api, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { useRoute } from '../../lib/router.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { ApiDocs } from '../../lib/openapi.tsx';
import { SampleTabs } from '../../lib/sample-tabs.tsx';
import type { Order, Plan, Product as ProductT } from '../../lib/types.ts';

const price = (p: Plan) => `${(p.priceFen / 100).toFixed(2).replace(/\.00$/, '').replace(/(\.\d)0$/, '$1')}元/${p.calls}次`;

export default function Product({ params }: { params: Record<string, string> }) {
  const t = useT();
  const { message, modal } = App.useApp();
  const { navigate } = useRoute();
  const products = useLoad(() => api<{ products: ProductT[] }>('console', '/products'));
  const list = products.data?.products ?? [];
  const product = list.find((p) => p.code === params.code) ?? list[0];
  const [planId, setPlanId] = useState<number>();
  const [quantity, setQuantity] = useState(1);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (product && !product.plans.some((p) => p.id === planId)) setPlanId(product.plans.find((p) => p.priceFen > 0)?.id ?? product.plans[0]?.id);
  }, [product?.code]);
  const plan = product?.plans.find((p) => p.id === planId);

  const buy = async () => {
    if (!plan) return;
    setBusy(true);
    try {
      const { order } = await api<{ order: Order }>('console', '/orders', { body: { planId: plan.id, quantity } });
      try {
        const paid = await api<{ order: Order; balanceFen: number }>('console', `/orders/${order.id}/pay`, { method: 'POST' });
        modal.success({
          title: t('购买成功'),
          content: <span data-testid="buy-success">{t('订单 {id} 已用余额支付 {amount}，余额 {balance}。', { id: paid.order.id, amount: yuan(paid.order.amountFen), balance: yuan(paid.balanceFen) })}</span>,
          onOk: () => navigate('/console/packages'),
        });
      } catch (e) {
        modal.warning({ title: t('订单已创建，但未能支付'), content: `${(e as Error).message} — ${t('可在订单列表中支付或取消。')}`, onOk: () => navigate('/console/orders') });
      }
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <PageTitle>{product?.name ?? t('购买服务')}</PageTitle>
      <LoadError error={products.error} />
      {list.length > 1 && (
        <Radio.Group style={{ marginBottom: 12 }} value={product?.code} onChange={(e) => navigate(`/console/products/${e.target.value}`)}
          options={list.map((p) => ({ value: p.code, label: p.name }))} optionType="button" />
      )}
      {product && (
        <Card>
          <Typography.Paragraph>{product.description}</Typography.Paragraph>
          <Row gutter={[16, 16]}>
            <Col xs={24} md={16}>
              <Descriptions column={1} size="small" styles={{ label: { width: 96 } }} items={[
                { key: 'plans', label: t('套餐版本'), children: (
                  <Radio.Group value={planId} onChange={(e) => setPlanId(e.target.value)} data-testid="plans" style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
                    {product.plans.map((p) => <Radio.Button key={p.id} value={p.id} data-testid={`plan-${p.calls}`}>{price(p)}</Radio.Button>)}
                  </Radio.Group>
                ) },
                { key: 'calls', label: t('套餐配额'), children: plan ? `${plan.calls}${t('次')}` : '' },
                { key: 'days', label: t('购买时长'), children: plan ? `${t('单次')}　${t('自购买之日起 {n} 天有效', { n: plan.validDays })}` : '' },
                { key: 'qty', label: t('购买个数'), children: <InputNumber min={1} max={plan?.oncePerBuyer ? 1 : 1000} value={quantity} onChange={(v) => setQuantity(v ?? 1)} data-testid="quantity" /> },
              ]} />
            </Col>
            <Col xs={24} md={8} style={{ display: 'flex', flexDirection: 'column', justifyContent: 'flex-end', gap: 8 }}>
              <Typography.Text style={{ fontSize: 28, color: '#ff6a00' }} data-testid="total">{plan ? yuan(plan.priceFen * quantity) : ''}</Typography.Text>
              <Button type="primary" size="large" loading={busy} disabled={!plan} onClick={buy} data-testid="buy-now">{t('立即购买')}</Button>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('从账户余额支付')}</Typography.Text>
            </Col>
          </Row>
        </Card>
      )}
      {product && (
        <Card style={{ marginTop: 16 }}>
          <Tabs items={[
            { key: 'api', label: t('API接口'), children: <ApiDocs path={product.apiPath} /> },
            { key: 'prices', label: t('产品价格'), children: (
              <Table size="small" rowKey="id" pagination={false} dataSource={product.plans} scroll={{ x: 'max-content' }} data-testid="price-table" columns={[
                { title: t('套餐版本'), render: (_: unknown, p: Plan) => price(p) },
                { title: t('套餐配额'), dataIndex: 'calls', render: (v: number) => `${v}${t('次')}` },
                { title: t('单价'), render: (_: unknown, p: Plan) => `¥${(p.priceFen / 100 / p.calls).toFixed(4)}/${t('次')}` },
                { title: t('有效期'), dataIndex: 'validDays', render: (v: number) => t('{n} 天', { n: v }) },
                { title: t('限购'), dataIndex: 'oncePerBuyer', render: (v: boolean) => (v ? t('每个买家一次') : '') },
              ]} />
            ) },
            { key: 'samples', label: t('示例代码'), children: <SampleTabs path={product.apiPath} /> },
          ]} />
        </Card>
      )}
    </div>
  );
}
