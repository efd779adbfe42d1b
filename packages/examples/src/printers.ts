/**
 * Two processes printing, as actors. Python's original:
 *
 *   def test(name):
 *       while True:
 *           print(name); time.sleep(1)
 *   p1 = Process(target=test, args=('test1',)); p2 = Process(target=test, args=('test2',))
 *   p1.start(); p2.start(); p1.join(); p2.join()
 *
 * An actor never blocks its thread with a `while True: sleep` loop: it sets a timer in
 * `onStart` and clears it in `onStop`, so it stays free to handle messages (here: `printed`).
 * Run: node dist/printers.js [--placement thread|process] [--seconds N]   (Ctrl-C stops it)
 */
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { createSystem, defineActor } from '@multitask/core';

export const Printer = defineActor({
  url: import.meta.url,
  name: 'Printer',
  init: (args: { readonly name: string; readonly everyMs: number; readonly quiet?: boolean }) => ({ ...args, printed: 0, timer: undefined as NodeJS.Timeout | undefined }),
  onStart(ctx) {
    const where = threadId === 0 ? `process ${process.pid}` : `thread ${threadId}`;
    ctx.state.timer = setInterval(() => {
      ctx.state.printed += 1;
      if (ctx.state.quiet !== true) console.log(`  ${ctx.state.name} (${where})`);
    }, ctx.state.everyMs);
  },
  onStop(ctx) {
    clearInterval(ctx.state.timer);
  },
  handlers: {
    printed: (ctx) => ctx.state.printed,
  },
});

/**
 * Runs test1 and test2 until `seconds` pass or `signal` aborts; resolves with how often each
 * printed (`quiet`: counted, not printed, as the tests run it).
 */
export async function twoPrinters(options: { readonly placement: 'thread' | 'process'; readonly seconds: number; readonly everyMs?: number; readonly signal?: AbortSignal; readonly quiet?: boolean }): Promise<number[]> {
  await using system = createSystem(); // p1.join(); p2.join() is the shutdown at the end of this scope
  const everyMs = options.everyMs ?? 1_000;
  const quiet = options.quiet === true;
  const printers = await Promise.all(['test1', 'test2'].map((name) => system.spawn(Printer, { placement: options.placement, args: { name, everyMs, quiet } })));
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted === true) return resolve();
    const timer = setTimeout(resolve, Math.min(options.seconds * 1_000, 2 ** 31 - 1));
    options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  const counts = await Promise.all(printers.map((printer) => printer.ask('printed')));
  return counts; // before the scope ends and shuts the system down
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const placement = flag('--placement') ?? 'thread';
  if (placement !== 'thread' && placement !== 'process') throw new Error('--placement must be thread or process');
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort()); // Ctrl-C: stop both actors cleanly
  const counts = await twoPrinters({ placement, seconds: Number(flag('--seconds') ?? Infinity), signal: stop.signal });
  console.log(`  stopped: test1 printed ${counts[0]} times, test2 ${counts[1]} times`);
}
