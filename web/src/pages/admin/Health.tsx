import { Alert, Card, Col, Descriptions, Row, Tag } from 'antd';
import { useEffect } from 'react';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { PageTitle } from '../../lib/ui.tsx';

interface Ready { status: string; checks: Record<string, string> }

export default function Health() {
  const t = useT();
  const ready = useLoad(async () => {
    const res = await fetch('/readyz');
    return (await res.json()) as Ready;
  });
  const live = useLoad(async () => (await fetch('/healthz')).ok);
  useEffect(() => {
    const timer = setInterval(ready.reload, 15_000);
    return () => clearInterval(timer);
  }, []);
  const good = (v: string) => v === 'ok' || v === 'ready';
  return (
    <div>
      <PageTitle>{t('运行状况')}</PageTitle>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Card title={t('本节点')} data-testid="health">
            <Descriptions column={1} size="small" items={[
              { key: 'live', label: t('存活'), children: live.data === undefined ? '…' : <Tag color={live.data ? 'green' : 'red'}>{live.data ? 'ok' : 'down'}</Tag> },
              { key: 'ready', label: t('就绪'), children: ready.data ? <Tag color={ready.data.status === 'ready' ? 'green' : 'orange'}>{ready.data.status}</Tag> : '…' },
              ...Object.entries(ready.data?.checks ?? {}).map(([k, v]) => ({ key: k, label: t(k), children: <Tag color={good(v) ? 'green' : 'orange'}>{v}</Tag> })),
            ]} />
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t('监控')}>
            <p>{t('Prometheus 指标：')}<a href="/metrics" target="_blank" rel="noreferrer">/metrics</a></p>
            <p>{t('接口文档：')}<a href="/openapi.json" target="_blank" rel="noreferrer">/openapi.json</a></p>
            <Alert type="info" showIcon title={t('集群节点、核验源与告警队列的状态需要管理接口 /admin/api/health（尚未提供）。')} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
