import type { ReactNode } from 'react';
import { Alert, Button, Typography, App } from 'antd';
import { useT } from './i18n.tsx';

export function PageTitle({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 8, marginBottom: 16 }}>
      <h1 className="page-title" style={{ margin: 0 }}>{children}</h1>
      {extra}
    </div>
  );
}

export function LoadError({ error }: { error?: Error }) {
  if (!error) return null;
  return <Alert type="error" showIcon title={error.message} style={{ marginBottom: 16 }} />;
}

/** A value with a copy button; `secret` values are shown in a monospace font. */
export function Copyable({ value, testId }: { value: string; testId?: string }) {
  const t = useT();
  const { message } = App.useApp();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // clipboard refused (plain http, no permission): select the text for the user instead
      const area = document.createElement('textarea');
      area.value = value;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    message.success(t('已复制'));
  };
  return (
    <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center', flexWrap: 'wrap' }}>
      <Typography.Text className="secret" data-testid={testId}>{value}</Typography.Text>
      <Button size="small" type="link" onClick={copy} data-testid={testId ? `${testId}-copy` : undefined}>{t('复制')}</Button>
    </span>
  );
}

export function CodeBlock({ code, testId }: { code: string; testId?: string }) {
  return <pre className="code-block" data-testid={testId}>{code}</pre>;
}
