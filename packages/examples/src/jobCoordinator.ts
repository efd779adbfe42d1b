/**
 * A job coordinator: one worker actor per job, each watched by the coordinator, which
 * reports every job's fate. Python's `multiprocessing` would start a `Process` per job and
 * `join` each; here the coordinator owns its workers (they stop with it) and learns how each
 * ended through its mailbox, one notification at a time: a result, a throw, or a worker
 * whose process died.
 */
import { createChannel, createSystem, defineActor, type ActorRef, type ChannelSender, type DownNotice, type Placement } from '@multitask/core';

/** One job: count the primes below `below`, in a worker of its own. */
export interface Job {
  readonly id: string;
  readonly below: number;
  /** Where its worker runs. */
  readonly placement: Placement;
  /** For the demo: make the worker throw, or end its process. */
  readonly fail?: 'throw' | 'exit';
}

/** Counts primes, reports to its coordinator (its result or its error), and stops. */
export const JobWorker = defineActor({
  url: import.meta.url,
  name: 'JobWorker',
  init: (args: { readonly job: Job; readonly coordinator: ActorRef<typeof Coordinator> }) => args,
  handlers: {
    work(ctx) {
      const { job, coordinator } = ctx.state;
      try {
        if (job.fail === 'exit') process.exit(3); // the worker dies without a word: only the watch tells
        if (job.fail === 'throw') throw new RangeError(`job ${job.id} cannot count below ${job.below}`);
        coordinator.tell('done', { id: job.id, primes: countPrimes(job.below) });
      } catch (error) {
        coordinator.tell('failed', { id: job.id, error: (error as Error).message });
      } finally {
        ctx.stop();
      }
    },
  },
});

function countPrimes(below: number): number {
  let primes = 0;
  for (let n = 2; n < below; n++) {
    let prime = true;
    for (let d = 2; d * d <= n && prime; d++) if (n % d === 0) prime = false;
    if (prime) primes += 1;
  }
  return primes;
}

/** A line of the coordinator's report. */
export type Outcome = { readonly id: string; readonly primes: number } | { readonly id: string; readonly failed: string };

interface CoordinatorState {
  /** Job ids by worker id, until each worker ends. */
  readonly running: Map<string, string>;
  /** What workers said before they ended, by job id. */
  readonly results: Map<string, Outcome>;
  report: ChannelSender<Outcome> | undefined;
}

// #region coordinator
/**
 * Starts a worker per job and watches them all; each one's fate goes into the report
 * channel as its worker ends, and the channel closes after the last.
 */
export const Coordinator = defineActor({
  url: import.meta.url,
  name: 'Coordinator',
  init: (): CoordinatorState => ({ running: new Map(), results: new Map(), report: undefined }),
  handlers: {
    async run(ctx, order: { readonly jobs: readonly Job[]; readonly report: ChannelSender<Outcome> }) {
      ctx.state.report = order.report;
      for (const job of order.jobs) {
        const worker = await ctx.spawn(JobWorker, { placement: job.placement, args: { job, coordinator: ctx.self as ActorRef<typeof Coordinator> } });
        ctx.watch(worker); // however it ends, onDown hears of it
        ctx.state.running.set(worker.id, job.id);
        worker.tell('work');
      }
      return order.jobs.length;
    },
    done(ctx, result: { readonly id: string; readonly primes: number }) {
      ctx.state.results.set(result.id, result);
    },
    failed(ctx, failure: { readonly id: string; readonly error: string }) {
      ctx.state.results.set(failure.id, { id: failure.id, failed: failure.error });
    },
  },
  async onDown(ctx, { ref, reason }: DownNotice) {
    const id = ctx.state.running.get(ref.id) ?? ref.id;
    ctx.state.running.delete(ref.id);
    // What it said, or, when it died without a word, why it ended.
    const said = ctx.state.results.get(id);
    const why = reason.kind === 'exit' ? `its process exited with code ${reason.code}` : reason.kind === 'error' ? reason.error.message : reason.kind;
    await ctx.state.report?.send(said ?? { id, failed: why });
    if (ctx.state.running.size === 0) ctx.state.report?.close();
  },
});
// #endregion coordinator

/** Runs `jobs` under a coordinator on a thread and returns each job's outcome, in the order they ended. */
export async function coordinate(jobs: readonly Job[]): Promise<Outcome[]> {
  await using system = createSystem();
  // #region run
  const coordinator = await system.spawn(Coordinator, { placement: 'thread' });
  const report = createChannel<Outcome>();
  await coordinator.ask('run', { jobs, report: report.sender });
  const outcomes: Outcome[] = [];
  for await (const outcome of report) outcomes.push(outcome);
  // #endregion run
  return outcomes;
}
