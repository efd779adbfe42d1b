// Baseline worker: a comlink-exposed object.
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

const api = {
  ping(n: number): number {
    return n;
  },
};
if (parentPort) Comlink.expose(api, nodeEndpoint(parentPort));
