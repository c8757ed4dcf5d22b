// `npm run bench:regions`: how much of the reference list of every GB/T 2260 code since 1981
// (../shared/data/areacodes.csv, beside the repository) our region table resolves, and with the
// same name. That file is used here for measuring only: it is never copied into the project nor
// used to build the table (tools/build-regions builds it from npm packages).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupRegion, regionName, regionTableCodes, REGION_SOURCES } from '../src/idcard/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const csvPath = path.resolve(repoRoot, '../shared/data/areacodes.csv');

interface Row {
  code: string;
  name: string;
  level: string;
  status: string;
  start: number;
}

function readRows(file: string): Row[] {
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  return lines.slice(1).map((line) => {
    const c = line.split(',');
    return { code: c[0]!, name: c[3]!, level: c[4]!, status: c[5]!, start: Number(c[6]) };
  });
}

interface Tally {
  codes: number;
  present: number;
  sameLatest: number;
  sameAny: number;
}

function main(): void {
  if (!fs.existsSync(csvPath)) {
    console.log(`skipped: ${csvPath} not found (the reference list lives beside the repository)`);
    return;
  }
  const rows = readRows(csvPath);
  const byCode = new Map<string, Row[]>();
  for (const row of rows) {
    if (!byCode.has(row.code)) byCode.set(row.code, []);
    byCode.get(row.code)!.push(row);
  }
  const tallies = new Map<string, Tally>();
  const missing: string[] = [];
  const add = (key: string, present: boolean, sameLatest: boolean, sameAny: boolean) => {
    const t = tallies.get(key) ?? { codes: 0, present: 0, sameLatest: 0, sameAny: 0 };
    t.codes++;
    if (present) t.present++;
    if (sameLatest) t.sameLatest++;
    if (sameAny) t.sameAny++;
    tallies.set(key, t);
  };
  for (const [code, history] of byCode) {
    // The latest row is the one that started last; a code abolished and never reused is 弃用.
    const latest = history.reduce((a, b) => (b.start > a.start || (b.start === a.start && b.status !== '变更') ? b : a));
    const status = latest.status === '在用' ? 'in use' : 'abolished';
    const level = latest.level === '县级' ? 'county' : latest.level === '地级' ? 'prefecture' : 'province';
    const name = regionName(code);
    const present = name !== undefined;
    const sameLatest = name === latest.name;
    const sameAny = present && history.some((h) => h.name === name);
    if (!present) missing.push(`${code} ${latest.name} (${latest.status})`);
    for (const key of ['all', `all ${status}`, level, `${level} ${status}`]) add(key, present, sameLatest, sameAny);
  }
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');
  const order = [
    'all', 'all in use', 'all abolished',
    'county', 'county in use', 'county abolished',
    'prefecture', 'prefecture in use', 'prefecture abolished',
    'province', 'province in use',
  ];
  console.log(`reference: ${path.relative(repoRoot, csvPath)} (${byCode.size} distinct codes, ${rows.length} rows)`);
  console.log(`table: src/idcard/regions-data.json from ${REGION_SOURCES.join(', ')}`);
  console.log(`date: ${new Date().toISOString().slice(0, 10)}, machine: ${os.cpus().length} cores, node ${process.version}`);
  console.log('');
  console.log('| codes | count | in our table | same name (latest) | same name (any year) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const key of order) {
    const t = tallies.get(key);
    if (!t) continue;
    console.log(`| ${key} | ${t.codes} | ${pct(t.present, t.codes)} | ${pct(t.sameLatest, t.codes)} | ${pct(t.sameAny, t.codes)} |`);
  }
  // Codes our table holds that the reference never had: errors of the sources, or generic
  // entries (市辖区, 县) that GB/T 2260 lists but the reference leaves out.
  const extra = regionTableCodes().filter((code) => !byCode.has(code));
  const generic = extra.filter((code) => ['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划'].includes(regionName(code)!));
  console.log('');
  console.log(`our table: ${regionTableCodes().length} codes; ${extra.length} not in the reference (${generic.length} of them generic 市辖区/县/直辖 entries)`);
  // Sanity: the seed's sample must resolve through the same door the product uses.
  const sample = lookupRegion('522229');
  console.log('');
  console.log(`seed sample 522229 -> ${sample.area} (known: ${sample.known})`);
  console.log(`missing (${missing.length}): ${missing.slice(0, 40).join('; ')}${missing.length > 40 ? '; …' : ''}`);
}

main();
