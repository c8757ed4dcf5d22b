import { useState, type ReactNode } from 'react';
import { Alert, Button, Card, Form, Input, Tabs, Typography } from 'antd';
import { api, type Door } from '../lib/api.ts';
import { useT } from '../lib/i18n.tsx';
import { useSession, type Account } from '../lib/session.tsx';

export function LoginPage({ door, langSwitch }: { door: Door; langSwitch: ReactNode }) {
  const t = useT();
  const { setAccount } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = (path: '/login' | '/signup') => async (values: Record<string, string>) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ account: Account }>(door, path, { body: values });
      setAccount(r.account);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const login = (
    <Form layout="vertical" onFinish={submit('/login')} requiredMark={false}>
      <Form.Item name="email" label={t('邮箱')} rules={[{ required: true }]}><Input autoComplete="username" data-testid="login-email" /></Form.Item>
      <Form.Item name="password" label={t('密码')} rules={[{ required: true }]}><Input.Password autoComplete="current-password" data-testid="login-password" /></Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">{t('登录')}</Button>
    </Form>
  );
  const signup = (
    <Form layout="vertical" onFinish={submit('/signup')} requiredMark={false}>
      <Form.Item name="name" label={t('名称（公司或个人）')} rules={[{ required: true }]}><Input data-testid="signup-name" /></Form.Item>
      <Form.Item name="email" label={t('邮箱')} rules={[{ required: true, type: 'email' }]}><Input autoComplete="username" data-testid="signup-email" /></Form.Item>
      <Form.Item name="password" label={t('密码')} rules={[{ required: true, min: 8, message: t('至少 8 个字符') }]}><Input.Password autoComplete="new-password" data-testid="signup-password" /></Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy} data-testid="signup-submit">{t('注册')}</Button>
    </Form>
  );
  return (
    <div className="login-wrap">
      <Card className="login-card" title={`${t('实名')} · ${door === 'admin' ? t('运营后台') : t('买家中心')}`} extra={langSwitch}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        {door === 'admin' ? login : (
          <Tabs items={[{ key: 'login', label: t('登录'), children: login }, { key: 'signup', label: <span data-testid="tab-signup">{t('注册')}</span>, children: signup }]} />
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
          {t('身份证实名认证 OCR：图像识别 + 二要素核验，私有部署。')}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
