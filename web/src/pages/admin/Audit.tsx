import { useState } from 'react';
import { Card, Input, Table } from 'antd';
import { api, chinaTime } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { AuditEntry, Page } from '../../lib/types.ts';

export default function Audit() {
  const t = useT();
  const [action, setAction] = useState('');
  const [page, setPage] = useState(1);
  const audit = useLoad(() => api<Page<AuditEntry>>('admin', `/audit?page=${page}&pageSize=20${action ? `&action=${encodeURIComponent(action)}` : ''}`), [page, action]);
  return (
    <div>
      <PageTitle>{t('审计日志')}</PageTitle>
      <LoadError error={audit.error} />
      <Card>
        <Input.Search allowClear style={{ maxWidth: 280, marginBottom: 12 }} placeholder={t('操作，如 balance.topup')} onSearch={(v) => { setAction(v); setPage(1); }} />
        <Table rowKey="id" size="small" loading={audit.loading} dataSource={audit.data?.items ?? []} scroll={{ x: true }} data-testid="audit"
          pagination={{ current: page, pageSize: 20, total: audit.data?.total ?? 0, onChange: setPage }}
          columns={[
            { title: t('时间'), dataIndex: 'createdAt', render: (v: number) => chinaTime(v) },
            { title: t('操作员'), dataIndex: 'operatorEmail' },
            { title: t('操作'), dataIndex: 'action' },
            { title: t('对象'), dataIndex: 'target' },
            { title: t('详情'), dataIndex: 'detail', render: (v: unknown) => <code style={{ fontSize: 12 }}>{JSON.stringify(v)}</code> },
          ]} />
      </Card>
    </div>
  );
}
