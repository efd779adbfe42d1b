import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createSystem, type ActorRef, type Placement } from '@multitask/core';
import { Sink } from './actors.js';
import { latencies, rate, type BenchCase, type Fixture } from './harness.js';

const here = (file: string): URL => new URL(file, import.meta.url);
/** The small object every tell case sends. */
export const MESSAGE = (i: number): { i: number; tag: string } => ({ i, tag: 'bench' });

/** Sends `count` tells then waits until the actor has counted them all. */
async function tellRun(ref: ActorRef<typeof Sink>, count: number): Promise<number> {
  const start = (await ref.ask('count')) + count;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) ref.tell('hit', MESSAGE(i));
  while ((await ref.ask('count')) < start) {
    // the final ask queues behind every tell: one round suffices, the loop is a guard
  }
  return rate(count, performance.now() - t0);
}

function rttRun(ref: ActorRef<typeof Sink>, samples: number): Promise<number[]> {
  return latencies(samples, (i) => ref.ask('ping', i));
}

export type Raw = { send(message: unknown): void; once(handler: (message: unknown) => void): void; close(): Promise<void> };

export function rawThread(): Raw {
  const worker = new Worker(here('./rawThread.js'));
  return {
    send: (message) => worker.postMessage(message),
    once: (handler) => worker.once('message', handler),
    close: () => worker.terminate().then(() => undefined),
  };
}

export function rawProcess(): Raw {
  const child: ChildProcess = fork(fileURLToPath(here('./rawProcess.js')), [], { serialization: 'json', stdio: 'inherit' });
  return {
    send: (message) => child.send(message as object),
    once: (handler) => child.once('message', handler),
    close: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Sends one message to a raw baseline end and waits for its answer. */
export const rawAsk = (raw: Raw, message: unknown): Promise<unknown> => new Promise((resolve) => (raw.once(resolve), raw.send(message)));

export async function rawTellRun(raw: Raw, count: number): Promise<number> {
  const before = (await rawAsk(raw, { kind: 'count', n: 0 })) as number;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) raw.send({ kind: 'hit', n: i, ...MESSAGE(i) });
  while (((await rawAsk(raw, { kind: 'count', n: 0 })) as number) < before + count) {
    // wait for the counter to catch up
  }
  return rate(count, performance.now() - t0);
}

function rawRttRun(raw: Raw, samples: number): Promise<number[]> {
  return latencies(samples, (i) => rawAsk(raw, { kind: 'ping', n: i }));
}

async function actorFixture(placement: Placement, subject: (ref: ActorRef<typeof Sink>) => Promise<number[]>, baseline: (() => Promise<number[]>) | undefined, closeBaseline: () => Promise<void>): Promise<Fixture> {
  const system = createSystem();
  const ref = await system.spawn(Sink, { placement });
  return {
    subject: () => subject(ref),
    baseline,
    close: async () => {
      await system.shutdown();
      await closeBaseline();
    },
  };
}

const tellCount = (quick: boolean): number => (quick ? 200_000 : 1_000_000);
const rttSamples = (quick: boolean): number => (quick ? 2_000 : 10_000);

function tellCase(placement: 'thread' | 'process', baselineId: string, makeRaw: () => Raw): BenchCase {
  return {
    metrics: [{ id: `${placement}.tell`, unit: 'msg/s', better: 'higher', baseline: { id: baselineId, unit: 'msg/s' } }],
    async setup({ quick }) {
      const raw = makeRaw();
      const n = tellCount(quick) / (placement === 'process' ? 4 : 1);
      return actorFixture(placement, async (ref) => [await tellRun(ref, n)], async () => [await rawTellRun(raw, n)], () => raw.close());
    },
  };
}

function rttCase(placement: 'thread' | 'process', baselineId: string, makeRaw: () => Raw): BenchCase {
  return {
    metrics: [
      { id: `${placement}.ask.rtt`, unit: 'µs', better: 'lower', baseline: { id: baselineId, unit: 'µs' } },
      { id: `${placement}.ask.rtt.p99`, unit: 'µs', better: 'lower', baseline: { id: `${baselineId}.p99`, unit: 'µs' } },
    ],
    async setup({ quick }) {
      const raw = makeRaw();
      return actorFixture(placement, (ref) => rttRun(ref, rttSamples(quick)), () => rawRttRun(raw, rttSamples(quick)), () => raw.close());
    },
  };
}

const pipelinedCase: BenchCase = {
  metrics: [{ id: 'thread.ask.pipelined', unit: 'ask/s', better: 'higher', baseline: { id: 'comlink.call.pipelined', unit: 'call/s' } }],
  async setup({ quick }) {
    const worker = new Worker(here('./comlinkWorker.js'));
    const remote = Comlink.wrap<{ ping(n: number): number }>(nodeEndpoint(worker));
    const n = quick ? 20_000 : 100_000;
    const inFlight = 1_000;
    const pipelined = async (call: (i: number) => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      for (let done = 0; done < n; done += inFlight) await Promise.all(Array.from({ length: inFlight }, (_, i) => call(done + i)));
      return rate(n, performance.now() - t0);
    };
    return actorFixture(
      'thread',
      async (ref) => [await pipelined((i) => ref.ask('ping', i))],
      async () => [await pipelined((i) => remote.ping(i))],
      async () => {
        remote[Comlink.releaseProxy]();
        await worker.terminate();
      },
    );
  },
};

const inlineCase: BenchCase = {
  metrics: [{ id: 'inline.tell', unit: 'msg/s', better: 'higher', baseline: { id: 'raw.asyncQueue', unit: 'msg/s' } }],
  async setup({ quick }) {
    const n = tellCount(quick);
    // A plain array queue drained in a loop (a head index, not shift(): shift is O(n)).
    let queue: Array<{ i: number; tag: string }> = [];
    let count = 0;
    const drain = async (): Promise<void> => {
      await Promise.resolve();
      for (let head = 0; head < queue.length; head++) if ((queue[head] as { tag: string }).tag === 'bench') count += 1;
      queue = [];
    };
    const baseline = async (): Promise<number[]> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) queue.push(MESSAGE(i));
      await drain();
      return [rate(n, performance.now() - t0)];
    };
    return actorFixture('inline', async (ref) => [await tellRun(ref, n)], baseline, async () => {
      if (count === 0) throw new Error('baseline queue never drained');
    });
  },
};

/** Every case, keyed by the ids it reports. */
export const cases: readonly BenchCase[] = [
  tellCase('thread', 'raw.postMessage.oneway', rawThread),
  rttCase('thread', 'raw.postMessage.rtt', rawThread),
  pipelinedCase,
  tellCase('process', 'raw.processSend.oneway', rawProcess),
  rttCase('process', 'raw.processSend.rtt', rawProcess),
  inlineCase,
];
