import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createTestDatabase, testDialect, type TestDatabase } from '../support/db.ts';
import { checkDigitOf } from '../../src/idcard/index.ts';
import {
  createVerificationSource,
  importRegistryCsv,
  registerIdentity,
  registrySize,
  InvalidIdentity,
  VerificationUnavailable,
  type SourceErrorEvent,
  type VerificationSettings,
} from '../../src/verification/index.ts';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const settings = (over: Partial<VerificationSettings['verification']> = {}): VerificationSettings => ({
  verification: { source: 'registry', hmacKey: KEY_A, cacheTtlMs: 0, ...over },
});

/** a valid 18-digit number: region 110101 (北京东城), the given birth date, a sequence number */
function idNumber(birth: string, seq: number): string {
  const first17 = `110101${birth}${String(seq).padStart(3, '0')}`;
  return first17 + checkDigitOf(first17);
}

function withWrongCheckDigit(id: string): string {
  return id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
}

const SAMPLE = { name: '张三', idNumber: '522229198509112018' };

function bytes(text: string): Readable {
  return Readable.from([Buffer.from(text, 'utf8')]);
}

let tdb: TestDatabase;
before(async () => {
  tdb = await createTestDatabase();
});
after(async () => {
  await tdb.close();
});

async function clearRegistry(): Promise<void> {
  await tdb.store.db.deleteFrom('verification_registry').execute();
}

test('verify: same name -> match, another name -> mismatch, unknown number -> unknown', async () => {
  await clearRegistry();
  assert.equal(await registerIdentity(tdb.store, settings(), SAMPLE), 'imported');
  const source = createVerificationSource(tdb.store, settings());
  assert.equal(source.kind, 'registry');
  assert.equal(await source.verify(SAMPLE), 'match');
  assert.equal(await source.verify({ name: '李四', idNumber: SAMPLE.idNumber }), 'mismatch');
  assert.equal(await source.verify({ name: '张三', idNumber: idNumber('19850911', 201) }), 'unknown');
  // registering again is a no-op, another name replaces the row
  assert.equal(await registerIdentity(tdb.store, settings(), SAMPLE), 'unchanged');
  assert.equal(await registerIdentity(tdb.store, settings(), { name: '张叁', idNumber: SAMPLE.idNumber }), 'updated');
  assert.equal(await source.verify(SAMPLE), 'mismatch');
  assert.equal(await source.verify({ name: '张叁', idNumber: SAMPLE.idNumber }), 'match');
});

test('verify normalises: lower-case x, dot variants, NFC, spaces, 15-digit legacy numbers', async () => {
  await clearRegistry();
  let withX = '';
  for (let seq = 1; !withX; seq++) {
    const n = idNumber('19900101', seq);
    if (n.endsWith('X')) withX = n;
  }
  await registerIdentity(tdb.store, settings(), { name: '阿依古丽·买买提', idNumber: withX.toLowerCase() });
  const source = createVerificationSource(tdb.store, settings());
  assert.equal(await source.verify({ name: '阿依古丽·买买提', idNumber: withX }), 'match');
  assert.equal(await source.verify({ name: ' 阿依古丽・买买提 ', idNumber: withX.toLowerCase() }), 'match');
  assert.equal(await source.verify({ name: '阿依古丽•买买提', idNumber: withX }), 'match');
  assert.equal(await source.verify({ name: '阿依古丽．买买提', idNumber: withX }), 'match');
  assert.equal(await source.verify({ name: '阿依古丽买买提', idNumber: withX }), 'mismatch');
  // 15-digit 110101 900101 123 is the 18-digit 110101 19900101 123 + check digit
  const legacy = '110101900101123';
  const upgraded = '11010119900101123' + checkDigitOf('11010119900101123');
  await registerIdentity(tdb.store, settings(), { name: '王五', idNumber: legacy });
  assert.equal(await source.verify({ name: '王五', idNumber: upgraded }), 'match');
  assert.equal(await source.verify({ name: '王五', idNumber: legacy }), 'match');
});

test('registerIdentity refuses impossible names and numbers without echoing them', async () => {
  const bad = [
    { name: '张三', idNumber: withWrongCheckDigit(SAMPLE.idNumber) },
    { name: '张三', idNumber: '52222919850931201X' }, // 31 September... and check digit
    { name: '张三', idNumber: '12345' },
    { name: 'Zhang San', idNumber: SAMPLE.idNumber },
    { name: '张', idNumber: SAMPLE.idNumber },
    { name: '张'.repeat(16), idNumber: SAMPLE.idNumber },
  ];
  for (const claim of bad) {
    await assert.rejects(registerIdentity(tdb.store, settings(), claim), (err: unknown) => {
      assert.ok(err instanceof InvalidIdentity);
      assert.ok(!err.message.includes(claim.idNumber) && !err.message.includes(claim.name));
      return true;
    });
  }
});

test('import: header, bad rows counted with line numbers and no PII, later rows win', async () => {
  await clearRegistry();
  const a = idNumber('19800101', 11);
  const b = idNumber('19800101', 12);
  const c = idNumber('19800101', 13);
  const csv = [
    'name,idNumber',
    `张三,${a}`,
    `李四,${withWrongCheckDigit(b)}`,
    '王五', // one field
    `Bob,${c}`, // not a Chinese name
    `"赵六",${c}`, // quoted field
    '',
    `钱七,${b},extra`,
    `"孙八,${b}`, // unbalanced quote
    `周九,${a}`, // a again: later name wins
  ].join('\n');
  const report = await importRegistryCsv(tdb.store, settings(), bytes(csv));
  assert.equal(report.header, true);
  assert.equal(report.imported, 2); // a, c
  assert.equal(report.updated, 0);
  assert.equal(report.rejected, 5);
  assert.deepEqual(report.rejections.map((r) => r.line), [3, 4, 5, 8, 9]);
  assert.deepEqual(report.rejections.map((r) => r.reason), [
    'invalid ID number',
    'expected 2 fields (name,idNumber), found 1',
    'invalid name',
    'expected 2 fields (name,idNumber), found 3',
    'unbalanced quotes',
  ]);
  for (const r of report.rejections) assert.ok(!/[0-9]{6}|\p{Script=Han}/u.test(r.reason), r.reason);
  const source = createVerificationSource(tdb.store, settings());
  assert.equal(await source.verify({ name: '周九', idNumber: a }), 'match');
  assert.equal(await source.verify({ name: '张三', idNumber: a }), 'mismatch');
  assert.equal(await source.verify({ name: '赵六', idNumber: c }), 'match');
  assert.equal(await source.verify({ name: '李四', idNumber: b }), 'unknown');
  assert.equal(await registrySize(tdb.store), 2);
});

test('import upserts: new, updated and unchanged rows across batches', async () => {
  await clearRegistry();
  // row i: a distinct number (birth year 1970 + i/900, sequence i%900) and the name nameOf(i)
  const rows = (n: number, nameOf: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => `${nameOf(i)},${idNumber(`${1970 + Math.floor(i / 900)}0101`, i % 900)}`);
  const first = await importRegistryCsv(tdb.store, settings(), bytes(rows(2500, () => '张三').join('\n') + '\n'), { batchSize: 1000 });
  assert.deepEqual([first.imported, first.updated, first.unchanged, first.rejected], [2500, 0, 0, 0]);
  // second file: the first 1000 with another name, the next 1500 the same, 500 new
  const second = rows(3000, (i) => (i < 1000 ? '李四' : '张三'));
  const again = await importRegistryCsv(tdb.store, settings(), bytes(second.join('\r\n')), { batchSize: 700 });
  assert.deepEqual([again.imported, again.updated, again.unchanged, again.rejected], [500, 1000, 1500, 0]);
  assert.equal(await registrySize(tdb.store), 3000);
  const source = createVerificationSource(tdb.store, settings());
  const idOf = (row: string) => row.split(',')[1]!;
  assert.equal(await source.verify({ name: '李四', idNumber: idOf(second[5]!) }), 'match');
  assert.equal(await source.verify({ name: '张三', idNumber: idOf(second[5]!) }), 'mismatch');
  assert.equal(await source.verify({ name: '张三', idNumber: idOf(second[2999]!) }), 'match');
});

test('import: UTF-8 BOM and CRLF, fed one byte at a time', async () => {
  await clearRegistry();
  const x = idNumber('20000229', 5);
  const text = `\uFEFF姓名,身份证号码\r\n张三,${SAMPLE.idNumber}\r\n欧阳娜娜,${x}\r\n`;
  const buf = Buffer.from(text, 'utf8');
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const oneByteChunks = Readable.from((function* () {
    for (let i = 0; i < buf.length; i++) yield buf.subarray(i, i + 1);
  })());
  const report = await importRegistryCsv(tdb.store, settings(), oneByteChunks);
  assert.equal(report.header, true);
  assert.deepEqual([report.imported, report.rejected], [2, 0]);
  const source = createVerificationSource(tdb.store, settings());
  assert.equal(await source.verify(SAMPLE), 'match');
  assert.equal(await source.verify({ name: '欧阳娜娜', idNumber: x }), 'match');

  // a BOM without a header: line 1 is data
  await clearRegistry();
  const noHeader = await importRegistryCsv(tdb.store, settings(), bytes(`\uFEFF张三,${SAMPLE.idNumber}\r\n`));
  assert.deepEqual([noHeader.header, noHeader.imported, noHeader.rejected], [false, 1, 0]);
});

test('import survives hostile input: huge lines, binary garbage, bad UTF-8, NULs', async () => {
  await clearRegistry();
  const good1 = idNumber('19991231', 1);
  const good2 = idNumber('19991231', 2);
  const huge = Buffer.alloc(8 * 1024 * 1024, 0x41); // one 8 MB line, streamed in 64 KB chunks
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256).filter((b) => b !== 0x0a));
  const parts: Buffer[] = [
    Buffer.from(`张三,${good1}\n`),
    huge, Buffer.from('\n'),
    garbage, Buffer.from('\n'),
    Buffer.from([0xe5, 0xbc, 0x0a]), // truncated UTF-8 sequence then newline
    Buffer.from(`张\u0000三,${good2}\n`),
    Buffer.from(`李四,${good2}\n`),
    Buffer.from(`${'张'.repeat(400)},${good2}`), // 1.2 KB: over the line limit, no final newline
  ];
  const all = Buffer.concat(parts);
  const chunks = Readable.from((function* () {
    for (let i = 0; i < all.length; i += 65536) yield all.subarray(i, i + 65536);
  })());
  const rssBefore = process.memoryUsage().rss;
  const report = await importRegistryCsv(tdb.store, settings(), chunks);
  assert.equal(report.imported, 2);
  assert.equal(report.rejected, 5);
  assert.deepEqual(report.rejections, [
    { line: 2, reason: 'line too long' },
    { line: 3, reason: 'line too long' }, // the 4 KB garbage exceeds the 1 KB line limit too
    { line: 4, reason: 'not valid UTF-8' },
    { line: 5, reason: 'invalid name' },
    { line: 7, reason: 'line too long' },
  ]);
  // the 8 MB line was never buffered whole (generous bound: RSS moves for many reasons)
  assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
  const source = createVerificationSource(tdb.store, settings());
  assert.equal(await source.verify({ name: '张三', idNumber: good1 }), 'match');
  assert.equal(await source.verify({ name: '李四', idNumber: good2 }), 'match');

  // short garbage lines are rejected as fields, not crashes
  const short = await importRegistryCsv(tdb.store, settings(), Readable.from([Buffer.from([0x00, 0x2c, 0xff, 0xfe, 0x0a, 0x2c, 0x0a, 0x22, 0x0a])]));
  assert.equal(short.imported, 0);
  assert.equal(short.rejected, 3);
});

test('the registry holds keyed hashes only, never the plain name or number', async () => {
  await clearRegistry();
  const people = [SAMPLE, { name: '欧阳娜娜', idNumber: idNumber('19880808', 88) }];
  await importRegistryCsv(tdb.store, settings(), bytes(people.map((p) => `${p.name},${p.idNumber}`).join('\n')));
  await registerIdentity(tdb.store, settings(), { name: '王五', idNumber: idNumber('19770707', 77) });
  people.push({ name: '王五', idNumber: idNumber('19770707', 77) });

  const rows = await tdb.store.db.selectFrom('verification_registry').selectAll().execute();
  assert.equal(rows.length, 3);
  const settingsRows = await tdb.store.db.selectFrom('settings').selectAll().execute();
  const haystacks: Buffer[] = [];
  for (const row of rows) {
    assert.equal(Buffer.from(row.id_hash).length, 32);
    assert.equal(Buffer.from(row.pair_hash).length, 32);
    haystacks.push(Buffer.from(row.id_hash), Buffer.from(row.pair_hash));
    haystacks.push(Buffer.from(JSON.stringify(row)));
  }
  haystacks.push(Buffer.from(JSON.stringify(settingsRows)));
  if (testDialect === 'sqlite') {
    // the database file itself, WAL included
    const dir = tdb.env.SHIMING_DATA_DIR!;
    for (const f of fs.readdirSync(dir)) haystacks.push(fs.readFileSync(path.join(dir, f)));
  }
  const all = Buffer.concat(haystacks);
  for (const p of people) {
    for (const needle of [p.idNumber, p.idNumber.slice(0, 17), p.name]) {
      assert.equal(all.indexOf(Buffer.from(needle, 'utf8')), -1, `found a plain value in the stored data`);
    }
    assert.equal(all.indexOf(Buffer.from(p.name, 'utf16le')), -1);
  }
});

test('a registry made with one key is not read or extended with another', async () => {
  await clearRegistry();
  await registerIdentity(tdb.store, settings(), SAMPLE);
  const errors: SourceErrorEvent[] = [];
  const other = createVerificationSource(tdb.store, settings({ hmacKey: KEY_B }), { onSourceError: (e) => errors.push(e) });
  await assert.rejects(other.verify(SAMPLE), (err: unknown) => err instanceof VerificationUnavailable && err.reason === 'key-mismatch' && err.code === '203');
  assert.deepEqual(errors, [{ source: 'registry', reason: 'key-mismatch' }]);
  await assert.rejects(registerIdentity(tdb.store, settings({ hmacKey: KEY_B }), SAMPLE), /another verification.hmacKey/);
  await assert.rejects(importRegistryCsv(tdb.store, settings({ hmacKey: KEY_B }), bytes(`张三,${SAMPLE.idNumber}\n`)), /another verification.hmacKey/);
  assert.equal(await createVerificationSource(tdb.store, settings()).verify(SAMPLE), 'match');
});

test('the cache answers within its TTL, forgets after it, and stays bounded', async () => {
  await clearRegistry();
  let clock = 1_000_000;
  const config = settings({ cacheTtlMs: 60_000, cacheMaxEntries: 2 });
  await registerIdentity(tdb.store, config, SAMPLE);
  const source = createVerificationSource(tdb.store, config, { now: () => clock });
  assert.equal(await source.verify(SAMPLE), 'match');
  assert.equal(source.cachedResults, 1);
  await registerIdentity(tdb.store, config, { name: '李四', idNumber: SAMPLE.idNumber });
  clock += 59_999;
  assert.equal(await source.verify(SAMPLE), 'match', 'cached answer within the TTL');
  clock += 1;
  assert.equal(await source.verify(SAMPLE), 'mismatch', 'fresh answer once the TTL is over');
  await source.verify({ name: '王五', idNumber: idNumber('19600101', 1) });
  await source.verify({ name: '赵六', idNumber: idNumber('19600101', 2) });
  assert.equal(source.cachedResults, 2);
});

test('a database failure is VerificationUnavailable (203) and is reported, not cached', async () => {
  const local = tdb.openAnother();
  const errors: SourceErrorEvent[] = [];
  const source = createVerificationSource(local, settings({ cacheTtlMs: 60_000 }), { onSourceError: (e) => errors.push(e) });
  // used once first: kysely re-opens a pool that was closed before its first query
  assert.equal(await source.verify({ name: '王五', idNumber: idNumber('19600101', 3) }), 'unknown');
  await local.close();
  await assert.rejects(source.verify(SAMPLE), (err: unknown) => err instanceof VerificationUnavailable && err.reason === 'database');
  assert.deepEqual(errors, [{ source: 'registry', reason: 'database' }]);
  assert.equal(source.cachedResults, 1, 'only the answer from before the failure');
});
