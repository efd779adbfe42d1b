// Baseline worker: raw postMessage. Counts one-way messages; answers pings.
import { parentPort } from 'node:worker_threads';

let count = 0;
parentPort?.on('message', (message: { kind: string; n: number }) => {
  if (message.kind === 'hit') count += 1;
  else if (message.kind === 'count') parentPort?.postMessage(count);
  else parentPort?.postMessage(message.n);
});
