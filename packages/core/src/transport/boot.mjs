// The first module of every thread and process host. Plain JavaScript on purpose: Node
// loads it before any loader (tsx, ...) is in place. It puts the parent's loaders in place
// where Node does not carry them into worker threads, then imports the host runtime.
import { isMainThread, workerData } from 'node:worker_threads';

const thread = !isMainThread;
if (thread) await registerLoaders(process.execArgv);
const main = thread ? workerData.main : process.argv[2];
const data = thread ? workerData.data : JSON.parse(process.argv[3] ?? 'null');
const runtime = await import(main);
await runtime.startHost(data);

/**
 * Node 20 lists `--import tsx` in a worker's execArgv, but tsx only registers its hooks in
 * worker threads on Node versions whose workers inherit hooks (22.22.3+, 24.11.1+, 25.1+,
 * 26+). Below those, register tsx here so TypeScript actor modules load in threads.
 * @param {readonly string[]} execArgv
 */
async function registerLoaders(execArgv) {
  const usesTsx = execArgv.some((arg) => /(^|[\\/=@])tsx([\\/]|$)/.test(arg) || arg === 'tsx');
  if (!usesTsx || tsxRegistersInWorkers()) return;
  const api = await import('tsx/esm/api');
  api.register();
}

function tsxRegistersInWorkers() {
  const [major = 0, minor = 0, patch = 0] = process.versions.node.split('.').map(Number);
  const atLeast = (m, p) => minor > m || (minor === m && patch >= p);
  if (major >= 26) return true;
  if (major === 25) return atLeast(1, 0);
  if (major === 24) return atLeast(11, 1);
  if (major === 22) return atLeast(22, 3);
  return false;
}
