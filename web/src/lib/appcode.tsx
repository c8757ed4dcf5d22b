// Which app's AppCode the sample code and the debug tool use: the buyer picks an app; the page
// fills in the AppCode it was shown in this session, or lets the buyer paste it.
import { useEffect, useState } from 'react';
import { Input, Select, Space } from 'antd';
import { api } from './api.ts';
import { useLoad } from './hooks.ts';
import { useT } from './i18n.tsx';
import { useSession } from './session.tsx';
import type { AppSummary } from './types.ts';

export function useAppCodeChoice() {
  const { revealed } = useSession();
  const apps = useLoad(() => api<{ apps: AppSummary[] }>('console', '/apps').catch(() => ({ apps: [] as AppSummary[] })));
  const list = apps.data?.apps ?? [];
  const [appId, setAppId] = useState<number>();
  const [typed, setTyped] = useState('');
  useEffect(() => {
    if (appId === undefined && list.length) setAppId((list.find((a) => revealed[a.id]?.appCode) ?? list[0]!).id);
  }, [list.length]);
  const known = appId !== undefined ? revealed[appId]?.appCode : undefined;
  const appCode = typed.trim() || known || '';
  return { apps: list, appId, setAppId, typed, setTyped, appCode, known };
}

export function AppCodePicker({ choice }: { choice: ReturnType<typeof useAppCodeChoice> }) {
  const t = useT();
  return (
    <Space wrap>
      <Select style={{ minWidth: 180 }} placeholder={t('选择应用')} value={choice.appId} onChange={choice.setAppId} data-testid="app-select"
        options={choice.apps.map((a) => ({ value: a.id, label: `${a.name || t('应用') + ' #' + a.id} (${a.appKey})` }))} />
      <Input.Password style={{ width: 300, maxWidth: '100%' }} placeholder={choice.known ? t('已填入本次会话中显示过的 AppCode') : t('粘贴该应用的 AppCode')}
        value={choice.typed} onChange={(e) => choice.setTyped(e.target.value)} data-testid="appcode-input" visibilityToggle />
    </Space>
  );
}
