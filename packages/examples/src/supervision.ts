/**
 * Supervision: let it crash. A parser actor runs on a thread under a supervisor; bad input
 * makes it throw (restarted in place, its queued messages kept), `process.exit` kills its
 * thread (restarted on a fresh thread). Holders of its ref never notice, apart from what
 * was in flight: a pending ask rejects with a code, lost tells become dead letters.
 */
import { threadId } from 'node:worker_threads';
import { child, createSystem, defineActor, isMultitaskError, type DownReason } from '@multitask/core';

export const Parser = defineActor({
  url: import.meta.url,
  name: 'Parser',
  // init runs again on every restart, with the same arguments.
  init: (base: number) => ({ base, parsed: 0 }),
  handlers: {
    /** Parses an integer; throws on anything else (the supervisor restarts the actor). */
    parse(ctx, text: string) {
      const n = Number.parseInt(text, ctx.state.base);
      if (Number.isNaN(n)) throw new Error(`not a number: ${text}`);
      ctx.state.parsed += 1;
      return n;
    },
    parsed: (ctx) => ctx.state.parsed,
    thread: () => threadId,
    /** Kills its own thread: the supervisor replaces the thread. */
    die: () => process.exit(1),
  },
});

/** What {@link superviseParser} saw. */
export interface SupervisionReport {
  readonly crashes: string[];
  readonly restarts: number;
  readonly askAfterThrow: string;
  readonly parsedAfterRestart: number;
  readonly sameThreadAfterThrow: boolean;
  readonly newThreadAfterExit: boolean;
  readonly pendingAskCode: string | undefined;
}

export async function superviseParser(): Promise<SupervisionReport> {
  await using system = createSystem();
  const crashes: string[] = [];
  system.on('actor:crashed', (_ref, reason: DownReason) => crashes.push(reason.kind === 'error' ? `error: ${reason.error.message}` : reason.kind));

  // #region supervise
  const sup = await system.supervise({
    strategy: 'one-for-one',
    intensity: { maxRestarts: 5, withinMs: 10_000 }, // a sixth crash within 10 s: give up and escalate
    children: [child('parser', Parser, { placement: 'thread', args: 10 })],
  });
  const parser = sup.ref('parser'); // valid across restarts

  const thread = await parser.ask('thread');
  // A throw answers the asker with the error, then the actor restarts on the same thread.
  const askAfterThrow = await parser.ask('parse', 'forty-two').then(String, (error: Error) => error.message);
  const parsed = await parser.ask('parse', '42');
  const sameThreadAfterThrow = (await parser.ask('thread')) === thread;
  // #endregion supervise

  // A dead thread: the ask that killed it rejects with WORKER_CRASHED; the ref then reaches the new thread.
  const pendingAskCode = await parser.ask('die').then(
    () => undefined,
    (error: unknown) => (isMultitaskError(error) ? error.code : undefined),
  );
  const newThreadAfterExit = (await parser.ask('thread')) !== thread;
  return {
    crashes,
    restarts: sup.restarts,
    askAfterThrow,
    parsedAfterRestart: parsed,
    sameThreadAfterThrow,
    newThreadAfterExit,
    pendingAskCode,
  };
}
