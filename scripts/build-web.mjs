#!/usr/bin/env node
// Builds the console (web/) into web/dist with Vite. `npm ci` runs it (the `prepare` script), so
// `npm ci && npm start` and `npm ci && npm test` both serve the pages. Where the dev dependencies
// are not installed (npm ci --omit=dev) an existing build is kept and a missing one reported.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const dist = path.join(webDir, 'dist', 'index.html');

let vite;
try {
  vite = await import('vite');
} catch {
  if (fs.existsSync(dist)) {
    console.log('build-web: vite is not installed (production install); keeping the existing web/dist');
    process.exit(0);
  }
  console.error('build-web: vite is not installed and web/dist is missing: install the dev dependencies (npm ci) to build the console');
  process.exit(process.env.npm_lifecycle_event === 'prepare' ? 0 : 1);
}

const started = Date.now();
await vite.build({ root: webDir, configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn' });
console.log(`build-web: web/dist built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
