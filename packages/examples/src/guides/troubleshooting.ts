// The samples of the troubleshooting guide, run by the tests.
import { createSystem, defineActor, isMultitaskError, type DownReason } from '@multitask/core';
import { Greeter } from './greeter.js';

export async function troubleshooting(): Promise<string[]> {
  const seen: string[] = [];
  // #region inspect
  // Open a debugger port in every thread and process the system starts (0: any free port).
  await using system = createSystem({ execArgv: [...process.execArgv, '--inspect=0'] });
  // #endregion inspect
  // #region crash
  system.on('actor:crashed', (ref, reason: DownReason) => {
    // reason.kind: 'error' | 'exit' | 'signal' | 'out-of-memory' | 'timeout'
    seen.push(`${ref.id} went down: ${reason.kind}`);
  });
  system.on('actor:stopped', (ref, reason) => seen.push(`${ref.id} is gone: ${reason.kind}`));
  const child = await system.spawn(Greeter, { placement: 'process', args: 'Hi' });
  const pid = await child.ask('pid');
  process.kill(pid, 'SIGKILL');
  try {
    await child.ask('greet', 'anyone');
  } catch (error) {
    if (isMultitaskError(error)) seen.push(`${error.code}: ${error.message}`); // WORKER_CRASHED: process ... was killed by SIGKILL
  }
  // #endregion crash
  return seen;
}

// #region copyInline
export const Session = defineActor({
  url: import.meta.url,
  name: 'Session',
  init: () => ({ started: Date.now() }),
  handlers: {
    // Works inline; on a thread the reply cannot be copied: it holds a function.
    info: (ctx) => ({ started: ctx.state.started, elapsed: () => Date.now() - ctx.state.started }),
  },
});
// #endregion copyInline

/** The copyInline sample: inline, the reply fails as it would on a thread. */
export async function inlineAsThread(): Promise<string> {
  // #region copyInline-test
  // In a test: the actors run inline, and get copies as a thread would.
  const system = createSystem({ copyInline: true });
  try {
    const session = await system.spawn(Session); // inline
    await session.ask('info');
  } catch (error) {
    // NOT_SERIALIZABLE: the reply of actor Session (…) to 'info' cannot be copied to
    // another thread or process: a function (elapsed) at elapsed
    if (isMultitaskError(error, 'NOT_SERIALIZABLE')) return error.message;
    throw error;
  } finally {
    await system.shutdown();
  }
  // #endregion copyInline-test
  return 'the reply was copied';
}

/** The inspector sample without `await using`, as plain JavaScript on Node 20 writes it. */
export async function inspectWithoutUsing(): Promise<boolean> {
  // #region inspect-finally
  const system = createSystem({ execArgv: [...process.execArgv, '--inspect=0'] });
  try {
    // spawn and debug: each thread and process the system starts opens its own port
  } finally {
    await system.shutdown();
  }
  // #endregion inspect-finally
  return system.isShutDown;
}
