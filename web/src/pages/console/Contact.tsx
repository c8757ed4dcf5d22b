// 联系我们: the support channels the operator configures (served at /console/support.json).
import { Card, Col, Descriptions, Empty, Row } from 'antd';
import { useLoad } from '../../lib/hooks.ts';
import { useT } from '../../lib/i18n.tsx';
import { LoadError, PageTitle } from '../../lib/ui.tsx';

export interface SupportInfo {
  company?: string;
  hours?: string;
  phones?: string[];
  emails?: string[];
  channels?: Array<{ name: string; value: string }>;
  note?: string;
}

export default function Contact() {
  const t = useT();
  const info = useLoad(async () => {
    const res = await fetch('/console/support.json', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as SupportInfo;
  });
  const s = info.data;
  const empty = s && !s.phones?.length && !s.emails?.length && !s.channels?.length && !s.hours;
  return (
    <div>
      <PageTitle>{t('联系我们')}</PageTitle>
      <LoadError error={info.error} />
      {empty && <Empty description={t('运营方还没有配置联系方式')} />}
      {s && !empty && (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={14}>
            <Card title={s.company ?? t('客户服务')} data-testid="support">
              <Descriptions column={1} size="small" items={[
                ...(s.hours ? [{ key: 'hours', label: t('服务时间'), children: s.hours }] : []),
                ...(s.phones?.length ? [{ key: 'phones', label: t('电话'), children: <div>{s.phones.map((p) => <div key={p}><a href={`tel:${p.replace(/[^0-9+]/g, '')}`}>{p}</a></div>)}</div> }] : []),
                ...(s.emails?.length ? [{ key: 'emails', label: t('邮箱'), children: <div>{s.emails.map((e) => <div key={e}><a href={`mailto:${e}`}>{e}</a></div>)}</div> }] : []),
                ...(s.channels ?? []).map((c, i) => ({ key: `c${i}`, label: c.name, children: c.value })),
              ]} />
            </Card>
          </Col>
          {s.note && <Col xs={24} lg={10}><Card title={t('说明')}>{s.note}</Card></Col>}
        </Row>
      )}
    </div>
  );
}
