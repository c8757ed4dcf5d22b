// The source a worker thread is started from (`new Worker(source, { eval: true })`) to run one
// of our TypeScript modules. Node 20 does not apply `--import tsx` from a worker's execArgv, so
// the worker registers tsx's loader itself before importing the module; a module that fails to
// load is reported on stderr and ends the thread with exit code 1.

const tsxApi = JSON.stringify(import.meta.resolve('tsx/esm/api'));

export function typeScriptWorkerSource(module: URL): string {
  return `import(${tsxApi})
  .then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })
  .catch((err) => { console.error(err); process.exit(1); });`;
}
