import { Alert, Button, Tabs, App } from 'antd';
import { useT } from './i18n.tsx';
import { SAMPLE_LANGS, sampleCode } from './samples.ts';
import { AppCodePicker, useAppCodeChoice } from './appcode.tsx';
import { CodeBlock } from './ui.tsx';

export function SampleTabs({ path }: { path: string }) {
  const t = useT();
  const { message } = App.useApp();
  const choice = useAppCodeChoice();
  const appCode = choice.appCode || t('你的AppCode');
  const copy = async (text: string) => {
    await navigator.clipboard.writeText(text).catch(() => undefined);
    message.success(t('已复制'));
  };
  return (
    <div data-testid="samples">
      <AppCodePicker choice={choice} />
      {!choice.appCode && <Alert style={{ margin: '12px 0' }} type="info" showIcon title={t('替换示例代码中的 AppCode 即可；在“应用与密钥”创建或重置后，本页会自动填入。')} />}
      <Tabs style={{ marginTop: 8 }} items={SAMPLE_LANGS.map((lang) => {
        const code = sampleCode(lang, { host: location.origin, path, appCode });
        return {
          key: lang,
          label: lang === '微信小程序' ? t('微信小程序 JS') : lang,
          children: (
            <div>
              <div style={{ textAlign: 'right', marginBottom: 6 }}><Button size="small" onClick={() => copy(code)} data-testid={`copy-sample-${lang}`}>{t('复制代码')}</Button></div>
              <CodeBlock code={code} testId={`sample-${lang}`} />
            </div>
          ),
        };
      })} />
    </div>
  );
}
