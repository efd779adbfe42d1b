// The fault-injection matrix: every way a child dies × what was in flight × every strategy.
import { afterEach, describe, expect, it } from 'vitest';
import { child, createChannel, createSystem, type ActorRef, type ActorSystem, type Strategy } from '../src/index.js';
import { Faulty } from './fixtures/faulty.js';
import { failureOf, nextEvent } from './helpers.js';

type Target = ActorRef<typeof Faulty>;

interface Fault {
  /** The child's options beside its args. */
  readonly options: Record<string, unknown>;
  /** The fatal ask. */
  readonly strike: (target: Target) => Promise<unknown>;
  /** The code (or message) the fatal ask and the asks queued behind it settle with. */
  readonly fatal: { code?: string; message?: string };
  /** Whether the host survives (the actor restarts in place and keeps its mailbox). */
  readonly inPlace: boolean;
  readonly reason: string;
}

const faults: Record<string, Fault> = {
  'handler throw (thread)': {
    options: { placement: 'thread' },
    strike: (t) => t.ask('boom', 'injected'),
    fatal: { message: 'injected' },
    inPlace: true,
    reason: 'error',
  },
  'process.exit in a worker': {
    options: { placement: 'thread' },
    strike: (t) => t.ask('exit', 1),
    fatal: { code: 'WORKER_CRASHED' },
    inPlace: false,
    reason: 'exit',
  },
  'SIGKILL of a child process': {
    options: { placement: 'process' },
    strike: (t) => t.ask('kill'),
    fatal: { code: 'WORKER_CRASHED' },
    inPlace: false,
    reason: 'signal',
  },
  'out-of-memory thread': {
    options: { placement: 'thread', resourceLimits: { maxOldGenerationSizeMb: 32 } },
    strike: (t) => t.ask('hog'),
    fatal: { code: 'WORKER_CRASHED' },
    inPlace: false,
    reason: 'out-of-memory',
  },
  'hang past handlerTimeout (process)': {
    options: { placement: 'process', handlerTimeout: 300 },
    strike: (t) => t.ask('hang'),
    fatal: { code: 'HANDLER_TIMEOUT' },
    inPlace: false,
    reason: 'timeout',
  },
};

const strategies: Array<[Strategy, before: boolean, after: boolean]> = [
  ['one-for-one', false, false],
  ['one-for-all', true, true],
  ['rest-for-one', false, true],
];

let labels = 0;

describe('fault injection', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
  });

  const cases = Object.entries(faults).flatMap(([name, fault]) => strategies.map(([strategy, before, after]) => [name, strategy, fault, before, after] as const));

  it.each(cases)('%s under %s: every promise settles, the right children restart, the channel goes on', async (_name, strategy, fault, restartsBefore, restartsAfter) => {
    system = createSystem({ shutdownTimeout: 2_000 });
    const channel = createChannel<number>({ capacity: 8 });
    const sup = await system.supervise({
      strategy,
      children: [
        child('before', Faulty, { args: { label: `f${++labels}` } }),
        child('target', Faulty, { ...fault.options, args: { label: `f${++labels}`, out: channel.sender } }),
        child('after', Faulty, { args: { label: `f${++labels}` } }),
      ],
    });
    const [before, target, after] = [sup.ref('before'), sup.ref('target'), sup.ref('after')];
    before.tell('add', 1);
    after.tell('add', 1);
    const restarted: string[] = [];
    system.on('actor:restarted', (ref) => restarted.push(ref.id));
    const letters: Array<{ type: string; code: string | undefined }> = [];
    system.on('dead-letter', (letter) => letters.push({ type: letter.type, code: (letter.error as { code?: string }).code }));
    const crashed = nextEvent(system, 'actor:crashed', (ref) => ref.id === target.id);
    const last = restartsAfter ? after : target;
    const done = nextEvent(system, 'actor:restarted', (ref) => ref.id === last.id);

    target.tell('flood', 50); // channel sends in flight (capacity 8, nobody receives yet)
    const fatal = failureOf(fault.strike(target));
    const queuedAsk = target.ask('get').then(
      (value) => ({ value }),
      (error: Error & { code?: string }) => ({ error }),
    );
    for (let i = 1; i <= 5; i++) target.tell('add', i); // queued tells

    const [, reason] = await crashed;
    await done;
    expect(reason.kind).toBe(fault.reason);
    expect(await fatal).toMatchObject(fault.fatal);

    const queued = await queuedAsk;
    const addLetters = letters.filter((l) => l.type === 'add');
    if (fault.inPlace) {
      // The mailbox survived the restart: the ask and the tells ran on the fresh state.
      expect(queued).toEqual({ value: 0 });
      expect(await target.ask('get')).toBe(15);
      expect(addLetters).toEqual([]);
    } else {
      // They were in the dead host: the ask rejected, the tells are dead letters with the reason.
      expect('error' in queued && queued.error).toMatchObject(fault.fatal);
      expect(addLetters).toHaveLength(5);
      expect(addLetters.every((l) => l.code === fault.fatal.code)).toBe(true);
      expect(await target.ask('get')).toBe(0);
    }

    // Exactly the children the strategy names restarted, the target once.
    expect(restarted.filter((id) => id === target.id)).toHaveLength(1);
    expect(await before.ask('get')).toBe(restartsBefore ? 0 : 1);
    expect(await after.ask('get')).toBe(restartsAfter ? 0 : 1);
    expect(restarted.includes(before.id)).toBe(restartsBefore);
    expect(restarted.includes(after.id)).toBe(restartsAfter);

    // The channel: what arrived came once and in order; it keeps working for the restarted child.
    const producing = target.ask('produce', { from: 100, to: 103 });
    const got: number[] = [];
    while (!got.includes(102)) got.push(await channel.receive({ timeout: 10_000 }));
    await producing;
    expect(new Set(got).size).toBe(got.length);
    const flooded = got.filter((n) => n < 100);
    expect(flooded).toEqual([...flooded].sort((a, b) => a - b));
    if (fault.inPlace) expect(flooded).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(got.slice(-3)).toEqual([100, 101, 102]);
  });
});
