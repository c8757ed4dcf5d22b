// 去调试: call the product with one of the buyer's apps from the browser and see the request,
// the answer, the time it took, and the card's outline (the `?detail=1` quad) on the image.
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Row, Space, Tag, Typography, Upload } from 'antd';
import { useT } from '../../lib/i18n.tsx';
import { AppCodePicker, useAppCodeChoice } from '../../lib/appcode.tsx';
import { CodeBlock, PageTitle } from '../../lib/ui.tsx';

type Quad = [[number, number], [number, number], [number, number], [number, number]];
interface Outcome { status: number; ms: number; body: unknown; gatewayError: string | null; requestId: string | null }

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function drawCard(canvas: HTMLCanvasElement, image: ImageBitmap, quad: Quad | null | undefined) {
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(image, 0, 0);
  if (!quad) return;
  ctx.lineWidth = Math.max(3, Math.round(image.width / 200));
  ctx.strokeStyle = '#00d26a';
  ctx.fillStyle = 'rgba(0, 210, 106, 0.12)';
  ctx.beginPath();
  quad.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = '#00d26a';
  for (const [x, y] of quad) {
    ctx.beginPath();
    ctx.arc(x, y, ctx.lineWidth * 2, 0, Math.PI * 2);
    ctx.fill();
  }
}

export default function Debug() {
  const t = useT();
  const choice = useAppCodeChoice();
  const [file, setFile] = useState<File>();
  const [bitmap, setBitmap] = useState<ImageBitmap>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const path = '/OcridCard?detail=1';

  useEffect(() => {
    if (!file) return;
    let live = true;
    createImageBitmap(file, { imageOrientation: 'from-image' }).then((b) => live && setBitmap(b), () => live && setBitmap(undefined));
    return () => {
      live = false;
    };
  }, [file]);
  const quad = ((outcome?.body as { detail?: { quad?: Quad | null } } | undefined)?.detail?.quad) ?? null;
  useEffect(() => {
    if (bitmap && canvas.current) drawCard(canvas.current, bitmap, quad);
  }, [bitmap, quad]);

  const send = async () => {
    if (!file || !choice.appCode) return;
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      const image = await readAsBase64(file);
      const started = performance.now();
      const res = await fetch(path, {
        method: 'POST',
        headers: { Authorization: `APPCODE ${choice.appCode}`, 'Content-Type': 'application/json; charset=UTF-8' },
        body: JSON.stringify({ image }),
        credentials: 'omit',
      });
      const text = await res.text();
      const ms = Math.round(performance.now() - started);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* a gateway answer may be empty or plain */
      }
      setOutcome({ status: res.status, ms, body, gatewayError: res.headers.get('x-ca-error-message'), requestId: res.headers.get('x-ca-request-id') });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const masked = choice.appCode ? `${choice.appCode.slice(0, 4)}…${choice.appCode.slice(-4)}` : t('你的AppCode');
  const requestText = `POST ${location.origin}${path}
Authorization: APPCODE ${masked}
Content-Type: application/json; charset=UTF-8

{"image": "<${t('图片的 Base64')}${file ? `, ${file.size} ${t('字节')}` : ''}>"}`;
  const code = (outcome?.body as { code?: string } | undefined)?.code;
  return (
    <div>
      <PageTitle>{t('调试工具')}</PageTitle>
      <Card style={{ marginBottom: 16 }}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <AppCodePicker choice={choice} />
          {!choice.appCode && <Alert type="info" showIcon title={t('请选择应用并粘贴它的 AppCode（只在创建或重置时显示，本页不会保存它）。')} />}
          <Upload.Dragger accept="image/jpeg,image/png,image/bmp" maxCount={1} showUploadList={false} data-testid="debug-drop"
            beforeUpload={(f) => { setFile(f); setOutcome(undefined); return false; }}>
            <p style={{ margin: 0 }}>{file ? `${file.name} (${Math.round(file.size / 1024)} KB)` : t('点击选择或拖入身份证图片（JPEG、PNG、BMP，4 MB 以内）')}</p>
          </Upload.Dragger>
          <Button type="primary" disabled={!file || !choice.appCode} loading={busy} onClick={send} data-testid="debug-send">{t('发送请求')}</Button>
        </Space>
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('请求')}><CodeBlock code={requestText} testId="debug-request" /></Card>
          <Card title={t('图片与证件轮廓')} style={{ marginTop: 16 }}>
            {file ? <canvas ref={canvas} className="debug-canvas" data-testid="debug-canvas" data-quad={quad ? JSON.stringify(quad) : ''} /> : <Typography.Text type="secondary">{t('尚未选择图片')}</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('响应')}>
            {outcome ? (
              <>
                <Descriptions size="small" column={1} items={[
                  { key: 'status', label: 'HTTP', children: <span data-testid="debug-status">{outcome.status}</span> },
                  { key: 'ms', label: t('耗时'), children: <span data-testid="debug-ms">{outcome.ms} ms</span> },
                  { key: 'code', label: t('结果码'), children: code ? <Tag color={code === '01' ? 'green' : code.startsWith('-') ? 'red' : 'orange'} data-testid="debug-code">{code}</Tag> : '—' },
                  ...(outcome.gatewayError ? [{ key: 'gw', label: 'X-Ca-Error-Message', children: outcome.gatewayError }] : []),
                  { key: 'rid', label: 'X-Ca-Request-Id', children: outcome.requestId },
                ]} />
                <CodeBlock code={typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body, null, 2)} testId="debug-response" />
              </>
            ) : <Typography.Text type="secondary">{t('发送请求后在这里显示返回的 JSON')}</Typography.Text>}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
