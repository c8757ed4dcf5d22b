import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Input, Modal, Space, Tag, Typography } from 'antd';
import { api, chinaTime } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { useSession } from '../../lib/session.tsx';
import { Link } from '../../lib/router.tsx';
import { Copyable, LoadError, PageTitle } from '../../lib/ui.tsx';
import type { AppSummary, CreatedApp } from '../../lib/types.ts';

/** what the server has just handed out, shown once in the result dialog */
interface Shown {
  title: string;
  appKey?: string;
  appSecret?: string;
  appCode?: string;
}

const hint = (code: string) => `${code.slice(0, 4)}••••${code.slice(-4)}`;

export default function Apps() {
  const t = useT();
  const { modal, message } = App.useApp();
  const { revealed, reveal } = useSession();
  const apps = useLoad(() => api<{ apps: AppSummary[] }>('console', '/apps'));
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<Shown>();

  const create = async () => {
    setCreating(true);
    try {
      const r = await api<{ app: CreatedApp }>('console', '/apps', { body: name.trim() ? { name: name.trim() } : {} });
      reveal(r.app.id, { appCode: r.app.appCode });
      setShown({ title: t('应用已创建'), appKey: r.app.appKey, appSecret: r.app.appSecret, appCode: r.app.appCode });
      setName('');
      apps.reload();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setCreating(false);
    }
  };

  const reset = (app: AppSummary, what: 'code' | 'secret') => {
    modal.confirm({
      title: what === 'code' ? t('重置 AppCode？') : t('重置 AppSecret？'),
      content: t('重置后旧的值立即失效，正在使用它的调用方将无法调用。新的值只显示一次。'),
      okText: t('确认重置'),
      cancelText: t('取消'),
      okButtonProps: { danger: true, id: 'confirm-reset' },
      onOk: async () => {
        try {
          if (what === 'code') {
            const r = await api<{ appCode: string }>('console', `/apps/${app.id}/reset-code`, { method: 'POST' });
            reveal(app.id, { appCode: r.appCode });
            setShown({ title: t('AppCode 已重置'), appCode: r.appCode });
          } else {
            const r = await api<{ appSecret: string }>('console', `/apps/${app.id}/reset-secret`, { method: 'POST' });
            setShown({ title: t('AppSecret 已重置'), appSecret: r.appSecret });
          }
        } catch (e) {
          message.error((e as Error).message);
        }
      },
    });
  };

  return (
    <div>
      <PageTitle>{t('应用与密钥')}</PageTitle>
      <LoadError error={apps.error} />
      <Card style={{ marginBottom: 16 }}>
        <Space.Compact style={{ width: '100%', maxWidth: 480 }}>
          <Input placeholder={t('应用名称（可选）')} value={name} onChange={(e) => setName(e.target.value)} maxLength={60} data-testid="app-name" />
          <Button type="primary" loading={creating} onClick={create} data-testid="create-app">{t('创建应用')}</Button>
        </Space.Compact>
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
          {t('调用时在请求头带上 Authorization: APPCODE 你的AppCode，或用 AppKey + AppSecret 签名。')}
        </Typography.Paragraph>
      </Card>
      {apps.data && apps.data.apps.length === 0 && <Empty description={t('还没有应用')} />}
      {apps.data?.apps.map((a) => {
        const code = revealed[a.id]?.appCode;
        return (
          <Card key={a.id} style={{ marginBottom: 12 }} data-testid={`app-${a.id}`}
            title={<span>{a.name || `${t('应用')} #${a.id}`} {a.active ? <Tag color="green">{t('正常')}</Tag> : <Tag>{t('已停用')}</Tag>}</span>}
            extra={<Typography.Text type="secondary">{t('创建时间')}: {chinaTime(a.createdAt, false)}</Typography.Text>}>
            <div style={{ display: 'grid', gridTemplateColumns: 'minmax(90px, max-content) minmax(0, 1fr)', gap: '8px 12px', alignItems: 'center' }}>
              <b>AppKey</b><Copyable value={a.appKey} testId="app-key" />
              <b>AppSecret</b>
              <span><Typography.Text type="secondary">{t('已隐藏（只在创建或重置时显示一次）')}</Typography.Text>
                {' '}<Button size="small" danger type="link" onClick={() => reset(a, 'secret')} data-testid="reset-secret">{t('重置')}</Button></span>
              <b>AppCode</b>
              <span>{code ? <Typography.Text className="secret" data-testid="app-code-hint">{hint(code)}</Typography.Text> : <Typography.Text type="secondary">{t('已隐藏（只在创建或重置时显示一次）')}</Typography.Text>}
                {' '}<Button size="small" danger type="link" onClick={() => reset(a, 'code')} data-testid="reset-code">{t('重置')}</Button></span>
            </div>
            {code && (
              <Alert style={{ marginTop: 12 }} type="info" showIcon title={<span>{t('示例代码与调试工具已填入此 AppCode：')} <Link to="/console/samples">{t('示例代码')}</Link> · <Link to="/console/debug">{t('去调试')}</Link></span>} />
            )}
          </Card>
        );
      })}
      <Modal open={!!shown} title={shown?.title} closable={false} maskClosable={false} keyboard={false} destroyOnHidden data-testid="shown-dialog"
        footer={<Button type="primary" onClick={() => setShown(undefined)} data-testid="shown-close">{t('我已保存')}</Button>}>
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="shown-warning"
          title={t('请立即复制并妥善保存：关闭后不会再显示。遗失后只能重置。')} />
        <div style={{ display: 'grid', gridTemplateColumns: 'minmax(80px, max-content) minmax(0, 1fr)', gap: '8px 12px', alignItems: 'center' }}>
          {shown?.appKey && <><b>AppKey</b><Copyable value={shown.appKey} testId="shown-app-key" /></>}
          {shown?.appSecret && <><b>AppSecret</b><Copyable value={shown.appSecret} testId="shown-app-secret" /></>}
          {shown?.appCode && <><b>AppCode</b><Copyable value={shown.appCode} testId="shown-app-code" /></>}
        </div>
      </Modal>
    </div>
  );
}
