// 请求参数 / 返回示例 / 错误码 of one API path, rendered from the server's /openapi.json.
import { Alert, Collapse, Table, Tag, Typography } from 'antd';
import { useLoad } from './hooks.ts';
import { useT } from './i18n.tsx';
import { CodeBlock } from './ui.tsx';

interface Schema { type?: string | string[]; description?: string; properties?: Record<string, Schema>; required?: string[]; enum?: string[] }
interface Example { summary?: string; value: unknown }
interface Operation {
  summary?: string; description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema; examples?: Record<string, Example> }> }>;
}
interface OpenApi { paths: Record<string, Record<string, Operation>> }

export function useOpenApi() {
  return useLoad(async () => {
    const res = await fetch('/openapi.json');
    if (!res.ok) throw new Error(`/openapi.json: HTTP ${res.status}`);
    return (await res.json()) as OpenApi;
  });
}

const typeName = (s?: Schema) => (Array.isArray(s?.type) ? s!.type.join(' | ') : s?.type ?? '').toUpperCase() || 'ANY';

export function ApiDocs({ path }: { path: string }) {
  const t = useT();
  const doc = useOpenApi();
  if (doc.error) return <Alert type="error" showIcon title={doc.error.message} />;
  if (!doc.data) return null;
  const methods = doc.data.paths[path];
  if (!methods) return <Alert type="warning" showIcon title={t('接口文档中没有 {path}', { path })} />;
  return (
    <div data-testid="api-docs">
      {Object.entries(methods).map(([method, op]) => {
        const bodyTypes = Object.entries(op.requestBody?.content ?? {});
        const bodySchema = bodyTypes.find(([type]) => type.includes('json'))?.[1].schema ?? bodyTypes[0]?.[1].schema;
        const bodyRows = Object.entries(bodySchema?.properties ?? {}).map(([name, s]) => ({ name, type: typeName(s), required: bodySchema?.required?.includes(name), description: s.description }));
        const queryRows = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, type: typeName(p.schema), required: p.required, description: p.description ?? p.schema?.description }));
        const ok = op.responses?.['200']?.content?.['application/json'];
        const examples = Object.entries(ok?.examples ?? {});
        const normal = examples.filter(([code]) => code === '01');
        const failures = examples.filter(([code]) => code !== '01');
        const codes = examples.map(([code, ex]) => {
          const value = ex.value as { msg?: string };
          const when = ex.summary?.includes(': ') ? ex.summary.slice(ex.summary.indexOf(': ') + 2) : '';
          return { code, msg: value?.msg ?? '', when };
        });
        const gateway = Object.entries(op.responses ?? {}).filter(([status]) => status !== '200');
        const columns = [
          { title: t('名称'), dataIndex: 'name', render: (v: string) => <code>{v}</code> },
          { title: t('类型'), dataIndex: 'type' },
          { title: t('是否必须'), dataIndex: 'required', render: (v: boolean) => (v ? t('必选') : t('可选')) },
          { title: t('描述'), dataIndex: 'description' },
        ];
        return (
          <div key={method}>
            <Typography.Paragraph>
              <b>{t('调用地址')}:</b> <code>{location.origin}{path}</code><br />
              <b>{t('请求方式')}:</b> {method.toUpperCase()}<br />
              <b>{t('返回类型')}:</b> JSON<br />
              <b>{t('API 调用')}:</b> {(op.security ?? []).map((s) => Object.keys(s)[0]).map((k) => <Tag key={k}>{k === 'appCode' ? 'APPCODE' : t('AppKey + AppSecret 签名')}</Tag>)}
            </Typography.Paragraph>
            {op.summary && <Typography.Paragraph type="secondary">{op.summary}. {op.description}</Typography.Paragraph>}
            <Collapse defaultActiveKey={['body', 'normal']} items={[
              { key: 'headers', label: t('请求参数 (Headers)'), children: <Table size="small" pagination={false} rowKey="name" columns={columns} scroll={{ x: true }}
                dataSource={[{ name: 'Authorization', type: 'STRING', required: true, description: 'APPCODE <AppCode>' }, { name: 'Content-Type', type: 'STRING', required: false, description: bodyTypes.map(([type]) => type).join(', ') }]} /> },
              { key: 'query', label: t('请求参数 (Query)'), children: <Table size="small" pagination={false} rowKey="name" columns={columns} dataSource={queryRows} scroll={{ x: true }} /> },
              { key: 'body', label: t('请求参数 (Body)'), children: <Table size="small" pagination={false} rowKey="name" columns={columns} dataSource={bodyRows} scroll={{ x: true }} /> },
              { key: 'normal', label: t('正常返回示例'), children: normal.map(([code, ex]) => <CodeBlock key={code} code={JSON.stringify(ex.value, null, 2)} />) },
              { key: 'failure', label: t('失败返回示例'), children: failures.map(([code, ex]) => (
                <div key={code} style={{ marginBottom: 8 }}><Typography.Text type="secondary">{ex.summary}</Typography.Text><CodeBlock code={JSON.stringify(ex.value, null, 2)} /></div>
              )) },
              { key: 'codes', label: t('错误码定义'), children: (
                <>
                  <Table size="small" pagination={false} rowKey="code" dataSource={codes} scroll={{ x: true }} data-testid="error-codes"
                    columns={[{ title: t('错误码'), dataIndex: 'code' }, { title: t('错误信息'), dataIndex: 'msg' }, { title: t('描述'), dataIndex: 'when' }]} />
                  <Typography.Title level={5} style={{ marginTop: 16 }}>{t('网关错误（HTTP 状态 + X-Ca-Error-Message）')}</Typography.Title>
                  <Table size="small" pagination={false} rowKey="status" scroll={{ x: true }}
                    dataSource={gateway.map(([status, r]) => ({ status, description: r.description }))}
                    columns={[{ title: 'HTTP', dataIndex: 'status' }, { title: t('描述'), dataIndex: 'description' }]} />
                </>
              ) },
            ]} />
          </div>
        );
      })}
    </div>
  );
}
