// The child processes of the gateway benches (bench/gateway.ts, bench/gateway-profile.ts): a
// server script started with tsx that prints `{"port":N}` once it listens, and the load
// generator (bench/gateway-load.ts) run in a process of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './gateway-load.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerNode {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `script` (a path from the repository root) and waits for its port. `nodeArgs` go to its
 * node (e.g. --cpu-prof); with `echo` its output is shown on this process's stderr, otherwise its
 * stderr is kept for the error should it exit before listening.
 */
export async function spawnServer(script: string, env: Record<string, string>, opts: { nodeArgs?: string[]; echo?: boolean } = {}): Promise<ServerNode> {
  const echo = opts.echo ?? false;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', echo ? 'inherit' : 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => { err += d; });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let out: string | undefined = '';
    child.stdout!.on('data', (d) => {
      // read until the port; later output (a server's log lines) is drained, shown only with echo
      if (out !== undefined) {
        out += d;
        const m = /\{"port":(\d+)\}/.exec(out);
        if (m) {
          out = undefined;
          resolve(Number(m[1]));
        }
      }
      // (a server's JSON log lines are not echoed: the access log would drown --trace-gc)
      if (echo) process.stderr.write(String(d).split('\n').filter((l) => !l.startsWith('{"level"')).join('\n'));
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}`, port, child, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** One run of the load generator, in a process of its own so that its CPU is not the servers'. */
export async function loadInOwnProcess(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/gateway-load.ts', JSON.stringify(spec)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`load generator exited ${code}`);
  return JSON.parse(out) as LoadResult;
}
