import { Alert, Card, Col, Empty, List, Progress, Row, Statistic, Typography } from 'antd';
import { api, yuan, chinaTime } from '../../lib/api.ts';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { Link } from '../../lib/router.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';
import { Chart } from '../../lib/chart.tsx';
import type { Me, Page, Service, Warning } from '../../lib/types.ts';

export default function Overview() {
  const t = useT();
  const me = useLoad(() => api<Me>('console', '/me'));
  const services = useLoad(() => api<{ services: Service[] }>('console', '/services'));
  const warnings = useLoad(() => api<Page<Warning>>('console', '/warnings?unread=true&pageSize=5'));
  const spend = useLoad(() => api<{ months: Array<{ month: string; spendFen: number }> }>('console', '/spend'));
  const months = spend.data?.months ?? [];
  return (
    <div>
      <PageTitle>{t('概览')}</PageTitle>
      <LoadError error={me.error ?? services.error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={8}><Card><Statistic title={t('账户余额')} value={me.data ? yuan(me.data.balanceFen) : '—'} valueStyle={{ fontSize: 24 }} /><span data-testid="balance" hidden>{me.data?.balanceFen}</span></Card></Col>
        <Col xs={12} sm={8}><Card><Statistic title={t('未支付订单')} value={me.data?.unpaidOrders ?? '—'} /><Link to="/console/orders">{t('查看订单')}</Link></Card></Col>
        <Col xs={12} sm={8}><Card><Statistic title={t('未读预警')} value={me.data?.unreadWarnings ?? '—'} /><Link to="/console/settings">{t('预警设置')}</Link></Card></Col>
      </Row>
      {warnings.data && warnings.data.items.length > 0 && (
        <Alert style={{ marginTop: 16 }} type="warning" showIcon title={t('续费提醒')} description={
          <List size="small" dataSource={warnings.data.items} renderItem={(w) => <List.Item>{chinaTime(w.createdAt)} · {w.message}</List.Item>} />
        } />
      )}
      <Card title={t('已购买的服务')} style={{ marginTop: 16 }} extra={<Link to="/console/products">{t('购买套餐包')}</Link>}>
        <List
          locale={{ emptyText: <Empty description={t('还没有购买服务')} /> }}
          dataSource={services.data?.services ?? []}
          renderItem={(s) => (
            <List.Item data-testid={`service-${s.productCode}`}>
              <div style={{ width: '100%' }}>
                <div style={{ display: 'flex', justifyContent: 'space-between', flexWrap: 'wrap', gap: 8 }}>
                  <Typography.Text strong>{s.productName}</Typography.Text>
                  <span>{t(s.status)} · {t('付费方式')}: {t(s.paymentMode)} · {t('创建时间')}: {chinaTime(s.createdAt, false)}</span>
                </div>
                <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginTop: 6 }}>
                  <span style={{ whiteSpace: 'nowrap' }}>{t('使用情况')}: <b data-testid={`usage-${s.productCode}`}>{s.used}/{s.total}</b></span>
                  <Progress percent={s.total ? Math.round((s.used / s.total) * 100) : 0} size="small" style={{ flex: 1, margin: 0 }} />
                  <Link to="/console/packages">{t('套餐包列表')}</Link>
                </div>
              </div>
            </List.Item>
          )}
        />
      </Card>
      <Card title={t('消费趋势（近 12 个月）')} style={{ marginTop: 16 }}>
        <Chart testId="spend-chart" height={260} option={{
          tooltip: { trigger: 'axis' },
          grid: { left: 48, right: 16, top: 16, bottom: 32 },
          xAxis: { type: 'category', data: months.map((m) => m.month) },
          yAxis: { type: 'value', name: '¥' },
          series: [{ type: 'bar', name: t('消费金额'), data: months.map((m) => m.spendFen / 100), itemStyle: { color: '#ff6a00' } }],
        }} />
      </Card>
    </div>
  );
}
