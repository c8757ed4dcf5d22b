import { useEffect } from 'react';
import { App, Button, Card, Col, Descriptions, Form, Input, InputNumber, Row } from 'antd';
import { api } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { useSession } from '../../lib/session.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { Contacts } from '../../lib/types.ts';

export default function Settings() {
  const t = useT();
  const { message } = App.useApp();
  const { account, setAccount } = useSession();
  const contacts = useLoad(() => api<{ contacts: Contacts }>('console', '/contacts'));
  const [form] = Form.useForm();
  useEffect(() => {
    if (contacts.data) form.setFieldsValue(contacts.data.contacts);
  }, [contacts.data]);
  const save = async (v: Contacts) => {
    try {
      await api('console', '/contacts', { method: 'PUT', body: { email: v.email || null, phone: v.phone || null, warnThresholdPct: v.warnThresholdPct } });
      message.success(t('已保存'));
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  const changePassword = async (v: { current: string; next: string }) => {
    try {
      await api('console', '/password', { body: v });
      message.success(t('密码已修改，请重新登录'));
      setAccount(null);
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  return (
    <div>
      <PageTitle>{t('账户设置')}</PageTitle>
      <LoadError error={contacts.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('账户')}>
            <Descriptions column={1} size="small" items={[
              { key: 'name', label: t('名称'), children: account?.name },
              { key: 'email', label: t('邮箱'), children: account?.email },
              { key: 'buyer', label: t('买家编号'), children: account?.buyerId },
            ]} />
          </Card>
          <Card title={t('修改密码')} style={{ marginTop: 16 }}>
            <Form layout="vertical" onFinish={changePassword}>
              <Form.Item name="current" label={t('当前密码')} rules={[{ required: true }]}><Input.Password autoComplete="current-password" data-testid="password-current" /></Form.Item>
              <Form.Item name="next" label={t('新密码')} rules={[{ required: true, min: 8 }]}><Input.Password autoComplete="new-password" data-testid="password-next" /></Form.Item>
              <Button htmlType="submit" data-testid="password-submit">{t('修改密码')}</Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('预警联系人与阈值')}>
            <Form form={form} layout="vertical" onFinish={save}>
              <Form.Item name="email" label={t('预警邮箱')} rules={[{ type: 'email' }]}><Input data-testid="warn-email" /></Form.Item>
              <Form.Item name="phone" label={t('预警手机')}><Input data-testid="warn-phone" /></Form.Item>
              <Form.Item name="warnThresholdPct" label={t('剩余量低于（%）时提醒')} rules={[{ required: true }]}><InputNumber min={1} max={99} data-testid="warn-threshold" /></Form.Item>
              <Button type="primary" htmlType="submit" data-testid="save-contacts">{t('保存')}</Button>
            </Form>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
