import { createSystem, type ActorRef } from '@multitask/core';
import { Sink } from './actors.js';
import { MESSAGE, rawAsk, rawProcess, rawThread, type Raw } from './cases.js';
import type { BenchCase } from './harness.js';

/**
 * The CPU time of every thread and process taking part, in µs per operation (BENCH.md).
 *
 * `process.cpuUsage()` is `getrusage(RUSAGE_SELF)`: the whole process, every thread in it.
 * Read on the main thread around a run, it counts the main thread, the worker thread at the
 * other end, and the V8 and libuv helper threads (GC, compiler) that work for either, which
 * is what a user pays for. So a thread case needs nothing from its far end. Per-thread
 * figures would miss those helpers, and Node 20 has no `process.threadCpuUsage()`
 * (`/proc/self/task/<tid>/stat` counts in 10 ms ticks). A child process is a process of its
 * own: it reports its own `process.cpuUsage()` before and after the run, added to ours.
 */
type FarCpu = () => Promise<NodeJS.CpuUsage | undefined>;

const sameProcess: FarCpu = async () => undefined;

const total = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;

/** CPU µs per operation of `run`, which performs `count` operations, on both ends. */
async function cpuPerOp(count: number, far: FarCpu, run: () => Promise<void>): Promise<number> {
  const farBefore = await far();
  const nearBefore = process.cpuUsage();
  await run();
  const near = total(process.cpuUsage(nearBefore));
  const farAfter = await far();
  const farUsed = farBefore === undefined || farAfter === undefined ? 0 : total(farAfter) - total(farBefore);
  return (near + farUsed) / count;
}

/** One side of a case: the operations it runs, and where its far end's CPU comes from. */
interface Side {
  readonly far: FarCpu;
  tells(count: number): Promise<void>;
  asks(count: number): Promise<void>;
}

function actorSide(ref: ActorRef<typeof Sink>, placement: 'thread' | 'process'): Side {
  return {
    far: placement === 'process' ? () => ref.ask('cpu') : sameProcess,
    async tells(count) {
      const target = (await ref.ask('count')) + count;
      for (let i = 0; i < count; i++) ref.tell('hit', MESSAGE(i));
      while ((await ref.ask('count')) < target) {
        // the ask queues behind every tell: one round suffices, the loop is a guard
      }
    },
    async asks(count) {
      for (let i = 0; i < count; i++) await ref.ask('ping', i);
    },
  };
}

function rawSide(raw: Raw, placement: 'thread' | 'process'): Side {
  const counted = async (): Promise<number> => (await rawAsk(raw, { kind: 'count', n: 0 })) as number;
  return {
    far: placement === 'process' ? async () => (await rawAsk(raw, { kind: 'cpu', n: 0 })) as NodeJS.CpuUsage : sameProcess,
    async tells(count) {
      const target = (await counted()) + count;
      for (let i = 0; i < count; i++) raw.send({ kind: 'hit', n: i, ...MESSAGE(i) });
      while ((await counted()) < target) {
        // as above
      }
    },
    async asks(count) {
      for (let i = 0; i < count; i++) await rawAsk(raw, { kind: 'ping', n: i });
    },
  };
}

/**
 * Operations per run: as many tells as `*.tell` sends (a quarter to a process), and enough
 * asks, one at a time, to be well above the clock's resolution and short of a second.
 */
function operations(op: 'tell' | 'ask', placement: 'thread' | 'process', quick: boolean): number {
  if (op === 'ask') return quick ? 5_000 : 20_000;
  return (quick ? 200_000 : 1_000_000) / (placement === 'process' ? 4 : 1);
}

const RAW = { thread: rawThread, process: rawProcess } as const;
const RAW_ID = { thread: 'raw.postMessage', process: 'raw.processSend' } as const;

/**
 * `thread.tell.cpu`, `process.tell.cpu`, `thread.ask.cpu`, `process.ask.cpu`: CPU per tell
 * (a burst, then one ask for the count) or per ask (one at a time) to a counting actor,
 * against the same traffic as raw `postMessage` / `process.send` (json) to a worker or
 * child that counts and answers: `raw.*.oneway.cpu` and `raw.*.rtt.cpu`.
 */
function cpuCase(placement: 'thread' | 'process', op: 'tell' | 'ask'): BenchCase {
  const unit = op === 'tell' ? 'µs CPU/msg' : 'µs CPU/ask';
  const baselineId = `${RAW_ID[placement]}.${op === 'tell' ? 'oneway' : 'rtt'}.cpu`;
  return {
    metrics: [{ id: `${placement}.${op}.cpu`, unit, better: 'lower', baseline: { id: baselineId, unit: op === 'tell' ? unit : 'µs CPU/ping' } }],
    async setup({ quick }) {
      const count = operations(op, placement, quick);
      const system = createSystem();
      const ref = await system.spawn(Sink, { placement });
      const raw = RAW[placement]();
      const measure = (side: Side) => async (): Promise<number[]> =>
        [await cpuPerOp(count, side.far, () => (op === 'tell' ? side.tells(count) : side.asks(count)))];
      return {
        subject: measure(actorSide(ref, placement)),
        baseline: measure(rawSide(raw, placement)),
        async close() {
          await system.shutdown();
          await raw.close();
        },
      };
    },
  };
}

/** The CPU cases. */
export const cpuCases: readonly BenchCase[] = [cpuCase('thread', 'ask'), cpuCase('process', 'ask'), cpuCase('thread', 'tell'), cpuCase('process', 'tell')];
