// Names, ID numbers, images and credentials never reach the log, whatever path a call takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.ts';
import { form, pngOf } from './images.ts';
import { registerIdentity } from '../../src/verification/index.ts';
import { scrub } from '../../src/log.ts';
import type { Recognizer } from '../../src/recognition/index.ts';

const NAME = '张三丰';
const ID = '522229198509112018';
const APPCODE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

test('log lines of real calls hold no name, number, image, AppCode or Authorization', async () => {
  let call = 0;
  const engine: Recognizer = {
    async read() {
      call++;
      if (call === 1) throw new Error(`could not parse line "姓名 ${NAME} 公民身份号码 ${ID}"`);
      const f = (value: string) => ({ value, confidence: 0.9 });
      return { side: 'front', front: { name: f(NAME), sex: f('男'), nation: f('汉'), birthday: f('19850911'), address: f('贵州省松桃苗族自治县真旗屯村湾头组'), idCard: f(ID) }, timings: {} };
    },
    queueLength: () => 0,
    close: async () => {},
  };
  const h = await startHarness({ recognizer: engine });
  try {
    await registerIdentity(h.store, h.config, { name: NAME, idNumber: ID });
    const image = (await pngOf(200, 120)).toString('base64');
    const auth = { authorization: `APPCODE ${APPCODE}` };
    const answers = [
      await h.app.inject({ method: 'POST', url: '/OcridCard', ...form({ image }), headers: { ...form({}).headers, ...auth } }),
      await h.app.inject({ method: 'POST', url: `/OcridCard?detail=1&name=${encodeURIComponent(NAME)}`, ...form({ image }), headers: { ...form({}).headers, ...auth } }),
      await h.app.inject({ method: 'POST', url: '/idcard/verify', ...form({ name: NAME, idCard: ID }), headers: { ...form({}).headers, ...auth } }),
      await h.app.inject({ method: 'POST', url: '/idcard/verify', payload: `{"name":"${NAME}","idCard":"${ID}"`, headers: { 'content-type': 'application/json', ...auth } }),
      await h.app.inject({ method: 'POST', url: `/nowhere/${ID}`, headers: auth }),
    ];
    assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200, 400, 400]);
    assert.equal(answers[0]!.json().code, '-4');
    assert.equal(answers[1]!.json().code, '01');
    assert.equal(answers[2]!.json().code, '01');

    const text = h.logs.join("\n");
    assert.ok(h.logs.length >= 5, 'calls were logged');
    assert.match(text, /"route":"\/OcridCard"/);
    assert.match(text, /recognition failed/);
    for (const secret of [NAME, ID, '522229', APPCODE, image.slice(0, 40), image.slice(-40), '19850911', '松桃']) {
      assert.ok(!text.includes(secret), `log holds ${secret.slice(0, 20)}`);
    }
    assert.ok(!/APPCODE/i.test(text), 'no Authorization header value');
  } finally {
    await h.close();
  }
});

test('scrub removes Chinese text, digit runs and blobs from free text', () => {
  assert.equal(scrub('Unexpected token in "张三 522229198509112018"'), 'Unexpected token in "[cjk] [digits]"');
  assert.equal(scrub('APPCODE abc'), 'APPCODE [redacted]');
  assert.match(scrub('image iVBORw0KGgoAAAANSUhEUgAA'), /image \[blob\]/);
  assert.equal(scrub('Body is too large'), 'Body is too large');
});

test('sensitive keys are censored at the top, one level down and in child bindings, without touching the caller\'s objects', async () => {
  const { createLogger } = await import('../../src/log.ts');
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(l); } } });
  const user = { name: NAME, ok: 1 };
  log.info({ user, idCard: ID, req: { headers: { authorization: `APPCODE ${APPCODE}`, host: 'h' } }, n: 1 }, 'm');
  log.child({ who: { idCard: ID }, reqId: 'R1' }).info({ appCode: APPCODE }, 'c');
  log.error({ err: Object.assign(new Error(`bad ${ID}`), { code: 'E1' }) }, 'e');
  const [a, b, c] = lines.map((l) => JSON.parse(l) as Record<string, any>);
  assert.deepEqual(a.user, { name: '[redacted]', ok: 1 });
  assert.equal(a.idCard, '[redacted]');
  assert.deepEqual(a.req.headers, { authorization: '[redacted]', host: 'h' });
  assert.deepEqual(b.who, { idCard: '[redacted]' });
  assert.equal(b.reqId, 'R1');
  assert.equal(b.appCode, '[redacted]');
  assert.equal(c.err.code, 'E1');
  assert.equal(c.err.message, 'bad [digits]');
  assert.deepEqual(user, { name: NAME, ok: 1 }, 'the logged object is not changed');
  for (const secret of [NAME, ID, APPCODE]) assert.ok(!lines.join('').includes(secret), secret);
});
