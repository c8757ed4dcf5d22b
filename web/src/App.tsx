// The shell: which door (/console or /admin), who is logged in, the menu, the header with the
// language switch, and the page for the path (each page its own lazily loaded chunk).
import { lazy, Suspense, useEffect, useState, type ComponentType, type LazyExoticComponent } from 'react';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Result, Segmented, Spin, Typography } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { api, ApiError, type Door } from './lib/api.ts';
import { LangProvider, useLang, useT } from './lib/i18n.tsx';
import { RouterProvider, useRoute, match } from './lib/router.tsx';
import { SessionProvider, useSession, type Account } from './lib/session.tsx';
import { LoginPage } from './pages/Login.tsx';

type Page = LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
interface RouteDef { path: string; page: Page; menu?: string }

const consoleRoutes: RouteDef[] = [
  { path: '/console', page: lazy(() => import('./pages/console/Overview.tsx')), menu: '概览' },
  { path: '/console/apps', page: lazy(() => import('./pages/console/Apps.tsx')), menu: '应用与密钥' },
  { path: '/console/products', page: lazy(() => import('./pages/console/Product.tsx')), menu: '购买服务' },
  { path: '/console/products/:code', page: lazy(() => import('./pages/console/Product.tsx')) },
  { path: '/console/packages', page: lazy(() => import('./pages/console/Packages.tsx')), menu: '套餐包' },
  { path: '/console/usage', page: lazy(() => import('./pages/console/Usage.tsx')), menu: '使用情况' },
  { path: '/console/orders', page: lazy(() => import('./pages/console/Orders.tsx')), menu: '订单列表' },
  { path: '/console/invoices', page: lazy(() => import('./pages/console/Invoices.tsx')), menu: '发票管理' },
  { path: '/console/samples', page: lazy(() => import('./pages/console/Samples.tsx')), menu: '示例代码' },
  { path: '/console/debug', page: lazy(() => import('./pages/console/Debug.tsx')), menu: '调试工具' },
  { path: '/console/settings', page: lazy(() => import('./pages/console/Settings.tsx')), menu: '账户设置' },
  { path: '/console/contact', page: lazy(() => import('./pages/console/Contact.tsx')), menu: '联系我们' },
];

const adminRoutes: RouteDef[] = [
  { path: '/admin', page: lazy(() => import('./pages/admin/Health.tsx')), menu: '运行状况' },
  { path: '/admin/products', page: lazy(() => import('./pages/admin/Products.tsx')), menu: '产品与套餐' },
  { path: '/admin/buyers', page: lazy(() => import('./pages/admin/Buyers.tsx')), menu: '买家' },
  { path: '/admin/orders', page: lazy(() => import('./pages/admin/Orders.tsx')), menu: '订单' },
  { path: '/admin/invoices', page: lazy(() => import('./pages/admin/Invoices.tsx')), menu: '发票队列' },
  { path: '/admin/usage', page: lazy(() => import('./pages/admin/Usage.tsx')), menu: '调用统计' },
  { path: '/admin/audit', page: lazy(() => import('./pages/admin/Audit.tsx')), menu: '审计日志' },
];

function doorOf(path: string): Door {
  return path === '/admin' || path.startsWith('/admin/') ? 'admin' : 'console';
}

function Shell({ door }: { door: Door }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const { path, navigate } = useRoute();
  const { account, setAccount } = useSession();
  const routes = door === 'admin' ? adminRoutes : consoleRoutes;
  const found = routes.map((r) => ({ r, params: match(r.path, path) })).find((x) => x.params);
  const [collapsed, setCollapsed] = useState(false);

  useEffect(() => {
    document.title = `${door === 'admin' ? t('运营后台') : t('买家中心')} · ${t('实名')}`;
  }, [door, lang]);

  const logout = async () => {
    await api(door, '/logout', { method: 'POST' }).catch(() => {});
    setAccount(null);
  };
  const selected = routes.filter((r) => r.menu && (path === r.path || (r.path !== `/${door}` && path.startsWith(r.path))));
  const langSwitch = (
    <Segmented size="small" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} data-testid="lang-switch" />
  );
  if (!account) return <LoginPage door={door} langSwitch={langSwitch} />;
  const Page = found?.r.page;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} collapsed={collapsed} onCollapse={setCollapsed} width={208} zeroWidthTriggerStyle={{ top: 12 }}>
        <div className="brand">{t('实名')} · {door === 'admin' ? t('运营后台') : t('买家中心')}</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected.length ? [selected[selected.length - 1]!.path] : []}
          items={routes.filter((r) => r.menu).map((r) => ({ key: r.path, label: <span data-testid={`menu-${r.path}`}>{t(r.menu!)}</span> }))}
          onClick={({ key }) => {
            navigate(key);
            if (innerWidth < 992) setCollapsed(true);
          }}
        />
      </Layout.Sider>
      <Layout>
        <div className="header-bar">
          <Typography.Text ellipsis style={{ marginLeft: collapsed ? 36 : 0 }}>{account.name || account.email}</Typography.Text>
          <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            {langSwitch}
            <Button size="small" onClick={logout} data-testid="logout">{t('退出')}</Button>
          </div>
        </div>
        <Layout.Content className="content">
          <Suspense fallback={<Spin />}>
            {Page ? <Page params={found!.params!} /> : <Result status="404" title="404" subTitle={t('页面不存在')} />}
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Root() {
  const { path } = useRoute();
  const door = doorOf(path);
  const [state, setState] = useState<{ door: Door; account: Account | null } | undefined>(undefined);
  useEffect(() => {
    if (state?.door === door) return;
    api<{ account: Account }>(door, '/me').then(
      (r) => setState({ door, account: r.account }),
      (e: unknown) => {
        if (!(e instanceof ApiError)) console.error(e);
        setState({ door, account: null });
      },
    );
  }, [door]);
  if (!state || state.door !== door) return <div className="login-wrap"><Spin /></div>;
  return (
    <SessionProvider key={door} initial={state.account}>
      <Shell door={door} />
    </SessionProvider>
  );
}

// (no motion under automation: the browser tests see and photograph the final state at once)
function Themed() {
  const { lang } = useLang();
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { motion: !navigator.webdriver, colorPrimary: '#ff6a00', fontFamily: "'Noto Sans SC', -apple-system, 'Segoe UI', Roboto, sans-serif" } }}>
      <AntApp>
        <Root />
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <LangProvider>
      <RouterProvider>
        <Themed />
      </RouterProvider>
    </LangProvider>
  );
}
