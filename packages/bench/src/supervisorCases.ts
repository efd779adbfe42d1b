import { Worker } from 'node:worker_threads';
import { child, createSystem, isMultitaskError } from '@multitask/core';
import { Restartable } from './actors.js';
import { percentile, type BenchCase } from './harness.js';

const median = (times: number[]): number => percentile(times, 50);

/**
 * supervisor.restart.thread: a supervised thread actor exits; time until its (unchanged)
 * ref answers again from the replacement thread. One crash every 100 ms or so (the idle
 * time is not counted): restarts back to back would measure the boot of the spare thread
 * instead, and a supervisor's intensity forbids them anyway. Backoff is zero: the case
 * measures what a restart costs, not the policy's wait. Baseline: `new Worker` until its
 * first reply.
 */
const restartCase: BenchCase = {
  metrics: [{ id: 'supervisor.restart.thread', unit: 'ms', better: 'lower', baseline: { id: 'raw.worker.spawn', unit: 'ms' } }],
  async setup({ quick }) {
    const samples = quick ? 5 : 15;
    const system = createSystem();
    const sup = await system.supervise({
      intensity: { maxRestarts: 1_000_000, withinMs: 1_000 },
      backoff: { initialMs: 0, maxMs: 0 },
      children: [child('r', Restartable, { placement: 'thread' })],
    });
    const ref = sup.ref('r');
    const rawUrl = new URL('./rawThread.js', import.meta.url);
    return {
      async subject() {
        const times: number[] = [];
        for (let i = 0; i < samples; i++) {
          await ref.ask('ping', i);
          await new Promise((resolve) => setTimeout(resolve, 100));
          const t0 = performance.now();
          ref.tell('exit');
          for (;;) {
            try {
              await ref.ask('ping', i); // rejected while the old thread dies; held, then answered, after
              break;
            } catch (error) {
              if (!(isMultitaskError(error) && error.code === 'WORKER_CRASHED')) throw error;
            }
          }
          times.push(performance.now() - t0);
        }
        return [median(times)];
      },
      async baseline() {
        const times: number[] = [];
        for (let i = 0; i < samples; i++) {
          const t0 = performance.now();
          const worker = new Worker(rawUrl);
          await new Promise((resolve) => {
            worker.once('message', resolve);
            worker.postMessage({ kind: 'ping', n: i });
          });
          times.push(performance.now() - t0);
          await worker.terminate();
        }
        return [median(times)];
      },
      close: () => system.shutdown(),
    };
  },
};

/** The supervision cases. */
export const supervisorCases: readonly BenchCase[] = [restartCase];
