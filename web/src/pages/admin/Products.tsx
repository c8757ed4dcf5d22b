import { useState, type HTMLAttributes } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Space, Switch, Table, Tag, Typography } from 'antd';
import { api, yuan } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { Plan, Product } from '../../lib/types.ts';

export default function Products() {
  const t = useT();
  const { message } = App.useApp();
  const products = useLoad(() => api<{ products: Product[] }>('admin', '/products'));
  // the plan form: a new plan of a product, or an existing plan edited
  const [planFor, setPlanFor] = useState<{ product: Product; plan?: Plan }>();
  const [newProduct, setNewProduct] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      message.success(t('已保存'));
      products.reload();
      return true;
    } catch (e) {
      message.error((e as Error).message);
      return false;
    }
  };
  return (
    <div>
      <PageTitle extra={<Button onClick={() => setNewProduct(true)}>{t('新建产品')}</Button>}>{t('产品与套餐')}</PageTitle>
      <LoadError error={products.error} />
      {products.data?.products.map((p) => (
        <Card key={p.code} style={{ marginBottom: 16 }} title={<span>{p.name} <Tag>{p.code}</Tag> <Tag>{p.apiPath}</Tag></span>}
          extra={<Space>
            <Switch checked={p.active} checkedChildren={t('上架')} unCheckedChildren={t('下架')} onChange={(v) => run(() => api('admin', `/products/${p.id}`, { method: 'PATCH', body: { active: v } }))} />
            <Button size="small" onClick={() => setPlanFor({ product: p })} data-testid={`new-plan-${p.code}`}>{t('新增套餐')}</Button>
          </Space>}>
          <Table size="small" rowKey="id" pagination={false} dataSource={p.plans} scroll={{ x: 'max-content' }} data-testid={`plans-${p.code}`}
            onRow={(l) => ({ 'data-testid': `plan-${l.id}` } as HTMLAttributes<HTMLElement>)} columns={[
            { title: 'ID', dataIndex: 'id' },
            { title: t('价格'), dataIndex: 'priceFen', render: yuan },
            { title: t('次数'), dataIndex: 'calls' },
            { title: t('有效天数'), dataIndex: 'validDays' },
            { title: t('限购一次'), dataIndex: 'oncePerBuyer', render: (v: boolean) => (v ? t('是') : '') },
            { title: t('上架'), render: (_: unknown, l: Plan) => <Switch size="small" checked={l.active} onChange={(v) => run(() => api('admin', `/plans/${l.id}`, { method: 'PATCH', body: { active: v } }))} /> },
            { title: t('操作'), render: (_: unknown, l: Plan) => <Button size="small" type="link" onClick={() => setPlanFor({ product: p, plan: l })} data-testid={`edit-plan-${l.id}`}>{t('编辑')}</Button> },
          ]} />
        </Card>
      ))}
      <Modal open={!!planFor} title={`${planFor?.plan ? t('编辑套餐') : t('新增套餐')} · ${planFor?.product.name ?? ''}`} onCancel={() => setPlanFor(undefined)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={async (v: { yuan: number; calls: number; validDays: number; oncePerBuyer?: boolean }) => {
          const body = { priceFen: Math.round(v.yuan * 100), calls: v.calls, validDays: v.validDays, oncePerBuyer: !!v.oncePerBuyer };
          const plan = planFor!.plan;
          const saved = await run(() => plan
            ? api('admin', `/plans/${plan.id}`, { method: 'PATCH', body })
            : api('admin', `/products/${planFor!.product.id}/plans`, { body }));
          if (saved) setPlanFor(undefined);
        }} initialValues={planFor?.plan
          ? { yuan: planFor.plan.priceFen / 100, calls: planFor.plan.calls, validDays: planFor.plan.validDays, oncePerBuyer: planFor.plan.oncePerBuyer }
          : { validDays: 730 }}>
          <Form.Item name="yuan" label={t('价格（元）')} rules={[{ required: true }]}><InputNumber min={0} step={0.01} data-testid="plan-price" /></Form.Item>
          <Form.Item name="calls" label={t('次数')} rules={[{ required: true }]}><InputNumber min={1} data-testid="plan-calls" /></Form.Item>
          <Form.Item name="validDays" label={t('有效天数')} rules={[{ required: true }]}><InputNumber min={1} max={3650} data-testid="plan-days" /></Form.Item>
          <Form.Item name="oncePerBuyer" label={t('每个买家限购一次')} valuePropName="checked"><Switch /></Form.Item>
          {planFor?.plan && <Typography.Paragraph type="secondary">{t('已下的订单保持下单时的条款。')}</Typography.Paragraph>}
          <Button type="primary" htmlType="submit" data-testid="plan-submit">{t('保存')}</Button>
        </Form>
      </Modal>
      <Modal open={newProduct} title={t('新建产品')} onCancel={() => setNewProduct(false)} footer={null} destroyOnHidden>
        <Form layout="vertical" onFinish={async (v: Record<string, string>) => {
          if (await run(() => api('admin', '/products', { body: v }))) setNewProduct(false);
        }}>
          <Form.Item name="code" label={t('产品代码')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{0,39}$/ }]}><Input /></Form.Item>
          <Form.Item name="name" label={t('名称')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="description" label={t('描述')} rules={[{ required: true }]}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name="apiPath" label={t('接口路径')} rules={[{ required: true }]}><Input placeholder="/OcridCard" /></Form.Item>
          <Button type="primary" htmlType="submit">{t('保存')}</Button>
        </Form>
      </Modal>
    </div>
  );
}
