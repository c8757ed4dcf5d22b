#!/usr/bin/env node
// The `shiming` command. The sources are TypeScript run through tsx, so the bin re-executes
// Node with the tsx loader; worker threads inherit that flag.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'src', 'cli.ts');
const tsxLoader = import.meta.resolve('tsx');
// MALLOC_ARENA_MAX=1: glibc otherwise gives every thread (each recognition worker, libuv,
// libvips) its own malloc arena, and each keeps the peak of the ONNX runs it served: measured
// with bench/ocr-memory.ts (pool of 2, 24 cards) peak RSS 943 MB without, 684 MB with, same CPU
// per card. glibc reads it only at process start, hence here. An explicit value wins.
const child = spawn(process.execPath, ['--import', tsxLoader, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
  env: { MALLOC_ARENA_MAX: '1', ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
