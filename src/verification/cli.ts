// `shiming admin registry …`: the operator's commands for the verification registry.
import fs from 'node:fs';
import type { Store } from '../store/index.ts';
import { hmacKeyBytes, IdentityHasher } from './identity.ts';
import { importHashedCsv } from './import.ts';
import { countRegistry } from './registry.ts';
import type { VerificationConfig } from './types.ts';

export interface RegistryAdminDeps {
  store: Store;
  config: { verification: VerificationConfig };
  out?: (line: string) => void;
  err?: (line: string) => void;
}

const USAGE = [
  'usage: shiming admin registry import <file.csv>   name,idNumber lines (optional header, UTF-8)',
  '       shiming admin registry count               identities in the registry',
].join('\n');

/**
 * Runs `registry <command> …` (argv starts after `admin registry`) and returns the exit code:
 * 0 done, 1 failed, 2 usage. Progress and rejected line numbers go to `err`, the summary
 * (JSON) to `out`. Never prints a name or number.
 */
export async function runRegistryAdmin(argv: string[], deps: RegistryAdminDeps): Promise<number> {
  const out = deps.out ?? ((l) => process.stdout.write(l + '\n'));
  const err = deps.err ?? ((l) => process.stderr.write(l + '\n'));
  const [command, ...rest] = argv;
  if (command === 'count' && rest.length === 0) {
    out(JSON.stringify({ identities: await countRegistry(deps.store) }));
    return 0;
  }
  if (command !== 'import' || rest.length !== 1) {
    err(USAGE);
    return 2;
  }
  const file = rest[0]!;
  let stream: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  } catch (e) {
    err(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 1;
  }
  const hasher = new IdentityHasher(hmacKeyBytes(deps.config.verification.hmacKey));
  const started = Date.now();
  let lastReport = started;
  try {
    const report = await importHashedCsv(deps.store, hasher, stream, {
      onProgress(p) {
        if (Date.now() - lastReport < 2000) return;
        lastReport = Date.now();
        err(`… line ${p.lines}: ${p.imported} new, ${p.updated} updated, ${p.unchanged} unchanged, ${p.rejected} rejected`);
      },
    });
    for (const r of report.rejections) err(`line ${r.line}: ${r.reason}`);
    if (report.rejected > report.rejections.length) err(`… and ${report.rejected - report.rejections.length} more rejected lines`);
    const { rejections: _listed, ...summary } = report;
    out(JSON.stringify({ ...summary, seconds: (Date.now() - started) / 1000 }));
    return 0;
  } catch (e) {
    err(`import failed: ${(e as Error).message}`);
    return 1;
  } finally {
    stream.destroy();
  }
}
