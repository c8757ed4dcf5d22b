// 运行状况: this node's own probes (/healthz, /readyz) and the cluster's state from
// GET /admin/api/health: every node with when it was last seen, the database, the verification
// source, and the queue of renewal alerts. Refreshes every 15 s.
import { Alert, Card, Col, Descriptions, Row, Statistic, Table, Tag } from 'antd';
import { useEffect } from 'react';
import { api, chinaTime } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import type { HealthReport } from '../../lib/types.ts';

interface Ready { status: string; checks: Record<string, string> }
type NodeRow = HealthReport['nodes'][number];
const CHECKS: Record<string, string> = { database: '数据库', recognizer: '识别引擎' };

function ago(ms: number, now: number, t: ReturnType<typeof useT>): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return t('{n} 秒前', { n: s });
  if (s < 5400) return t('{n} 分钟前', { n: Math.round(s / 60) });
  return chinaTime(ms);
}

export default function Health() {
  const t = useT();
  const health = useLoad(() => api<HealthReport>('admin', '/health'));
  const ready = useLoad(async () => (await (await fetch('/readyz')).json()) as Ready);
  useEffect(() => {
    const timer = setInterval(() => {
      health.reload();
      ready.reload();
    }, 15_000);
    return () => clearInterval(timer);
  }, []);
  const h = health.data;
  const now = Date.now();
  const good = (v: string) => v === 'ok' || v === 'ready';
  const ok = (yes: boolean, label?: string) => <Tag color={yes ? 'green' : 'red'}>{label ?? (yes ? t('正常') : t('异常'))}</Tag>;
  return (
    <div>
      <PageTitle>{t('运行状况')}</PageTitle>
      <LoadError error={health.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card title={t('数据库')} data-testid="health-database">
            {h && <Descriptions column={1} size="small" items={[
              { key: 'state', label: t('状态'), children: <span data-testid="database-ok">{ok(h.database.ok)}</span> },
              { key: 'dialect', label: t('类型'), children: h.database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite' },
              { key: 'latency', label: t('延迟'), children: `${h.database.latencyMs} ms` },
            ]} />}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('核验源')} data-testid="health-verification">
            {h && <Descriptions column={1} size="small" items={[
              { key: 'state', label: t('状态'), children: <span data-testid="verification-ok">{h.verificationSource.kind === 'none' ? <Tag>{t('未配置')}</Tag> : ok(h.verificationSource.ok)}</span> },
              { key: 'kind', label: t('类型'), children: <span data-testid="verification-kind">{{ registry: t('本地登记库'), http: t('HTTP 核验服务'), none: t('无') }[h.verificationSource.kind]}</span> },
              ...(h.verificationSource.detail ? [{ key: 'detail', label: t('说明'), children: h.verificationSource.detail }] : []),
            ]} />}
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('告警队列')} data-testid="health-alerts">
            {h && (
              <>
                <Row gutter={8}>
                  <Col span={8}><Statistic title={t('待发送')} value={h.alerts.pending} /></Col>
                  <Col span={8}><Statistic title={t('发送失败')} value={h.alerts.failed} valueStyle={h.alerts.failed ? { color: '#cf1322' } : undefined} /></Col>
                  <Col span={8}><Statistic title={t('24 小时已发')} value={h.alerts.sentLast24h} /></Col>
                </Row>
                {h.alerts.oldestPendingAt !== null && <div style={{ marginTop: 8 }}>{t('最早待发送')}: {chinaTime(h.alerts.oldestPendingAt)}</div>}
              </>
            )}
          </Card>
        </Col>
      </Row>
      <Card title={t('集群节点')} style={{ marginTop: 16 }}>
        <Table<NodeRow> size="small" rowKey="id" pagination={false} dataSource={h?.nodes ?? []} scroll={{ x: 'max-content' }} loading={health.loading && !h} data-testid="nodes"
          locale={{ emptyText: t('还没有节点上报心跳') }}
          columns={[
            { title: t('节点'), dataIndex: 'id', render: (v: string) => <code style={{ whiteSpace: 'nowrap' }}>{v}</code> },
            { title: t('状态'), dataIndex: 'alive', render: (v: boolean) => <span data-testid="node-alive">{ok(v, v ? t('在线') : t('离线'))}</span> },
            { title: t('主机'), dataIndex: 'host' },
            { title: 'PID', dataIndex: 'pid' },
            { title: t('版本'), dataIndex: 'version' },
            { title: t('启动时间'), dataIndex: 'startedAt', render: (v: number) => chinaTime(v) },
            { title: t('最近心跳'), dataIndex: 'lastSeenAt', render: (v: number) => ago(v, now, t) },
          ]} />
      </Card>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} md={12}>
          <Card title={t('本节点')} data-testid="health">
            <Descriptions column={1} size="small" items={[
              { key: 'ready', label: t('就绪'), children: ready.data ? <Tag color={ready.data.status === 'ready' ? 'green' : 'orange'}>{ready.data.status}</Tag> : '…' },
              ...Object.entries(ready.data?.checks ?? {}).map(([k, v]) => ({ key: k, label: t(CHECKS[k] ?? k), children: <Tag color={good(v) ? 'green' : 'orange'}>{v}</Tag> })),
            ]} />
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t('监控')}>
            <p>{t('Prometheus 指标：')}<a href="/metrics" target="_blank" rel="noreferrer">/metrics</a></p>
            <p>{t('接口文档：')}<a href="/openapi.json" target="_blank" rel="noreferrer">/openapi.json</a></p>
            {h && h.nodes.some((n) => !n.alive) && <Alert type="warning" showIcon title={t('有节点超过三次心跳未上报，视为离线。')} />}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
