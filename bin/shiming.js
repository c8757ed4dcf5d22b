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
// GLIBC_TUNABLES: allocations of 4 MB and more (detection's tensors, decoded photos) get their
// own mapping, returned to the kernel when freed, in 2 MB pages where transparent huge pages are
// 'madvise' or 'always' (glibc 2.35+; older ones ignore the names): the heap no longer keeps its
// high-water mark. bench/ocr-memory.ts --count 200, pool of 2 busy: peak 750-883 -> 653-661 MB
// at 8 MB, no CPU cost (2026-11-30, an AVX2 machine). With the workers' small young generation
// (recognition/pool.ts), `npm run bench:ocr` on an AVX-512 machine: peak RSS 571 MB at 8 MB,
// 530 MB at 4 MB, for 7.43 instead of 8.28 cards/s; the 4 MB threshold keeps the pool under
// 600 MB also where one image in five is a 4096 px photo (bench/ocr-memory.ts: 543-582 MB,
// against 607-633 at 8 MB). Without huge pages each threshold costs ~8 % more CPU. See
// docs/BENCHMARKS.md.
const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=4194304';
const child = spawn(process.execPath, ['--import', tsxLoader, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
  env: { MALLOC_ARENA_MAX: '1', GLIBC_TUNABLES: MALLOC_TUNABLES, ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
