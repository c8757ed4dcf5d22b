import { Card } from 'antd';
import { useT } from '../../lib/i18n.tsx';
import { PageTitle } from '../../lib/ui.tsx';
import { SampleTabs } from '../../lib/sample-tabs.tsx';

export default function Samples() {
  const t = useT();
  return (
    <div>
      <PageTitle>{t('示例代码')}</PageTitle>
      <Card><SampleTabs path="/OcridCard" /></Card>
    </div>
  );
}
