/**
 * An experiment, not a contract result: packed runs of 256 small items moved directly from
 * one thread to another, over a `MessagePort` (the serialized bytes posted) or through a
 * SharedArrayBuffer ring (bytes copied in, the consumer woken with `Atomics.waitAsync`).
 * Issue 3 asked for the ring to be measured against batched `postMessage`; see
 * docs/performance.md for the figures. Run: `node packages/bench/dist/experiments/ringVsPort.js`.
 */
import { MessageChannel, Worker } from 'node:worker_threads';

const ITEMS = 2_000_000;
const RUN = 256;
const RING_BYTES = 1 << 20;

/** The two threads' code (CommonJS, run with `eval`): a producer and a consumer for either way. */
const threadCode = `
const { parentPort, workerData } = require('node:worker_threads');
const v8 = require('node:v8');
const { role, way, items, run, ringBytes } = workerData;
// Atomics.waitAsync alone does not keep a thread alive; an actor host has its port for that.
const alive = setInterval(() => {}, 1000);
parentPort.once('close', () => clearInterval(alive));
const makeRun = (from) => { const out = []; for (let i = from; i < from + run; i++) out.push({ i, tag: 'bench' }); return out; };
const count = (bytes) => { let n = 0; for (const x of v8.deserialize(bytes)) if (x.tag === 'bench') n++; return n; };
if (way === 'port') {
  const port = workerData.port;
  if (role === 'producer') parentPort.once('message', () => { for (let s = 0; s < items; s += run) port.postMessage(v8.serialize(makeRun(s))); });
  else { let n = 0; port.on('message', (bytes) => { n += count(bytes); if (n >= items) parentPort.postMessage(n); }); }
} else {
  const ctl = new Int32Array(workerData.ring, 0, 4); // [0] bytes written, [1] bytes read
  const data = new Uint8Array(workerData.ring, 16, ringBytes);
  const at = (offset) => offset % ringBytes;
  if (role === 'producer') parentPort.once('message', async () => {
    let head = 0;
    for (let s = 0; s < items; s += run) {
      const bytes = v8.serialize(makeRun(s));
      const need = bytes.length + 4;
      while (head + need - Atomics.load(ctl, 1) > ringBytes) { const tail = Atomics.load(ctl, 1); await Atomics.waitAsync(ctl, 1, tail).value; }
      const length = new Uint8Array(new Uint32Array([bytes.length]).buffer);
      for (let k = 0; k < 4; k++) data[at(head + k)] = length[k];
      const start = at(head + 4); const first = Math.min(bytes.length, ringBytes - start);
      data.set(bytes.subarray(0, first), start);
      if (first < bytes.length) data.set(bytes.subarray(first), 0);
      head += need; Atomics.store(ctl, 0, head); Atomics.notify(ctl, 0);
    }
  });
  else (async () => {
    let tail = 0, n = 0;
    while (n < items) {
      let head = Atomics.load(ctl, 0);
      while (head === tail) { await Atomics.waitAsync(ctl, 0, head).value; head = Atomics.load(ctl, 0); }
      while (tail < head) {
        const length = new Uint8Array(4); for (let k = 0; k < 4; k++) length[k] = data[at(tail + k)];
        const size = new Uint32Array(length.buffer)[0];
        const start = at(tail + 4); const first = Math.min(size, ringBytes - start);
        let bytes = data.subarray(start, start + first);
        if (first < size) { bytes = new Uint8Array(size); bytes.set(data.subarray(start, ringBytes)); bytes.set(data.subarray(0, size - first), first); }
        n += count(bytes);
        tail += size + 4; Atomics.store(ctl, 1, tail); Atomics.notify(ctl, 1);
      }
    }
    parentPort.postMessage(n);
  })();
}`;

/** One run of `way`: items per second from the producer's start to the consumer's last item. */
async function measure(way: 'port' | 'ring'): Promise<number> {
  const common = { way, items: ITEMS, run: RUN, ringBytes: RING_BYTES };
  let producer: Worker;
  let consumer: Worker;
  if (way === 'port') {
    const { port1, port2 } = new MessageChannel();
    producer = new Worker(threadCode, { eval: true, workerData: { ...common, role: 'producer', port: port1 }, transferList: [port1] });
    consumer = new Worker(threadCode, { eval: true, workerData: { ...common, role: 'consumer', port: port2 }, transferList: [port2] });
  } else {
    const ring = new SharedArrayBuffer(16 + RING_BYTES);
    producer = new Worker(threadCode, { eval: true, workerData: { ...common, role: 'producer', ring } });
    consumer = new Worker(threadCode, { eval: true, workerData: { ...common, role: 'consumer', ring } });
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // both threads started
  const t0 = performance.now();
  const done = new Promise((resolve) => consumer.once('message', resolve));
  producer.postMessage('go');
  await done;
  const rate = (ITEMS / (performance.now() - t0)) * 1000;
  await Promise.all([producer.terminate(), consumer.terminate()]);
  return rate;
}

for (let round = 0; round < 3; round++) {
  for (const way of ['port', 'ring'] as const) {
    const rate = await measure(way);
    process.stdout.write(`${way}\t${(rate / 1e6).toFixed(2)} M items/s\n`);
  }
}
