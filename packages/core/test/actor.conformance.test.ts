import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem, type DeadLetter, type Placement, MultitaskError } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { captureWarnings, codeOf, failureOf, nextEvent } from './helpers.js';
import { Gate, openGate, resetGate, someoneWaiting } from './fixtures/gate.js';
import { Probe, QuotaError } from './fixtures/probe.js';

const placements: readonly Placement[] = ['inline', 'thread', 'process'];

/** Resolves with the first `dead-letter` event that satisfies `test`. */
function nextDeadLetter(system: ActorSystem, test: (letter: DeadLetter) => boolean = () => true): Promise<DeadLetter> {
  return nextEvent(system, 'dead-letter', test).then(([letter]) => letter);
}


describe.each(placements)('an actor on the %s placement', (placement) => {
  let system: ActorSystem;

  beforeEach(() => {
    // A short shutdown timeout: some tests leave a handler hanging on purpose.
    system = createSystem({ shutdownTimeout: 400 });
    resetGate();
  });

  afterEach(async () => {
    openGate();
    await system.shutdown();
    resetGate(); // the next file in this test process finds the gate closed, as it found it
  });

  it('answers tell, send and ask with typed replies', async () => {
    const counter = await system.spawn(Counter, { placement, args: 5 });
    counter.tell('add', 2);
    await counter.send('add', 3);
    await expect(counter.ask('get')).resolves.toBe(10);
  });

  it('handles one message at a time, also across await, in FIFO order per sender', async () => {
    const counter = await system.spawn(Counter, { placement, args: 0 });
    const replies = await Promise.all(Array.from({ length: 20 }, () => counter.ask('slowAdd', 1)));
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (let i = 0; i < 500; i++) counter.tell('record', i);
    expect(await counter.ask('seen')).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('rejects an ask with the handler error, keeping name, message, code, stack, cause and own properties', async () => {
    const probe = await system.spawn(Probe, { placement });
    const error = await failureOf<QuotaError & { cause: Error }>(probe.ask('fail', 3));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('QuotaError');
    expect(error.message).toBe('quota of 3 exceeded');
    expect(error.code).toBe('E_QUOTA');
    expect(error.limit).toBe(3);
    expect(error.stack).toContain(Probe.url); // where it was thrown, in the actor's module
    expect(error.cause).toBeInstanceOf(RangeError);
    expect(error.cause.message).toBe('inner cause');
    const coded = await failureOf(probe.ask('failCoded'));
    expect(coded).toBeInstanceOf(MultitaskError);
    expect((coded as MultitaskError).code).toBe('TASK_TIMEOUT');
    await expect(probe.ask('echo', 'still alive')).resolves.toBe('still alive');
  });

  it('rejects an ask past its deadline with ASK_TIMEOUT', async () => {
    const probe = await system.spawn(Probe, { placement });
    expect(await codeOf(probe.ask('hang', undefined, { timeout: 20 }))).toBe('ASK_TIMEOUT');
  });

  it('rejects an ask with ABORTED when its signal fires, before or after sending', async () => {
    const probe = await system.spawn(Probe, { placement });
    expect(await codeOf(probe.ask('echo', 1, { signal: AbortSignal.abort() }))).toBe('ABORTED');
    const controller = new AbortController();
    const pending = probe.ask('hang', undefined, { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    const error = await failureOf<MultitaskError>(pending);
    expect(error.code).toBe('ABORTED');
    expect((error.cause as Error).message).toBe('user gave up');
  });

  it('refuses options written in the place of the payload of a message that takes none (as JavaScript allows) with INVALID_ARGUMENT saying how to write them', async () => {
    const counter = await system.spawn(Counter, { placement, args: 1 });
    const probe = await system.spawn(Probe, { placement });
    // What a JavaScript caller can write: the types forbid it.
    const untyped = (ref: object) => ref as { ask(type: string, ...args: unknown[]): Promise<unknown>; send(type: string, ...args: unknown[]): Promise<void> };
    const js = untyped(counter);
    const timedOut = await failureOf(js.ask('get', { timeout: 5 }));
    expect({ code: timedOut.code, message: timedOut.message }).toEqual({
      code: 'INVALID_ARGUMENT',
      message: "ask('get', { timeout }): message 'get' takes no payload, and this one looks like ask options; options go third, after the payload: ask('get', undefined, { timeout })",
    });
    expect(await codeOf(js.send('get', { timeout: 5 }))).toBe('INVALID_ARGUMENT');
    const signal = AbortSignal.timeout(60_000);
    const signalled = await failureOf(js.ask('get', { signal, timeout: 5 }));
    expect({ code: signalled.code, message: signalled.message }).toEqual({
      code: 'INVALID_ARGUMENT',
      message: "ask('get', { signal, timeout }): an AbortSignal cannot be sent as a payload; options go third, after the payload: ask('get', undefined, { signal, timeout })",
    });
    expect(await codeOf(js.send('get', { signal }))).toBe('INVALID_ARGUMENT');
    // A handler that takes a payload gets it, whatever it looks like; the refused calls changed nothing.
    expect(await probe.ask('echo', { timeout: 5 })).toEqual({ timeout: 5 });
    expect(await js.ask('get', {})).toBe(1);
    expect(await counter.ask('get', undefined, { timeout: 5_000, signal })).toBe(1);
  });

  it('refuses a message that cannot be cloned with NOT_SERIALIZABLE at the call, and keeps working', async () => {
    const probe = await system.spawn(Probe, { placement });
    const fn = (): number => 1;
    expect(() => probe.tell('echo', { fn })).toThrow(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }));
    expect(await codeOf(probe.ask('echo', { nested: [Symbol('no')] }))).toBe('NOT_SERIALIZABLE');
    await expect(probe.ask('echo', { ok: [1, 2], when: new Date(0) })).resolves.toEqual({ ok: [1, 2], when: new Date(0) });
  });

  it('rejects an ask whose reply cannot be cloned with NOT_SERIALIZABLE', async () => {
    const probe = await system.spawn(Probe, { placement });
    if (placement === 'inline') {
      // Inline replies are handed over as they are: nothing is copied.
      await expect(probe.ask('unclonableReply')).resolves.toHaveProperty('fn');
    } else {
      const error = await failureOf<MultitaskError>(probe.ask('unclonableReply'));
      expect(error.code).toBe('NOT_SERIALIZABLE');
      // Whose reply, to which message, and what in it: not only the path inside the value.
      expect(error.message).toBe(`the reply of actor Probe (${probe.id}) to 'unclonableReply' cannot be copied to another thread or process: a function (fn) at fn`);
    }
    await expect(probe.ask('echo', 2)).resolves.toBe(2);
  });

  it('rejects an unknown message type in an ask and reports it as a dead letter in a tell', async () => {
    const probe = await system.spawn(Probe, { placement });
    const untyped = probe as unknown as { ask(type: string): Promise<unknown>; tell(type: string, payload: unknown): void };
    expect(await codeOf(untyped.ask('nope'))).toBe('UNKNOWN_MESSAGE');
    const dead = nextDeadLetter(system);
    untyped.tell('nope', 42);
    const letter = await dead;
    expect(letter).toMatchObject({ type: 'nope', payload: 42, error: { code: 'UNKNOWN_MESSAGE' } });
    expect(letter.recipient.id).toBe(probe.id);
  });

  it('fails a spawn whose onStart throws with SPAWN_FAILED', async () => {
    const error = await failureOf<MultitaskError>(system.spawn(Probe, { placement, args: { failStart: true } }));
    expect(error.code).toBe('SPAWN_FAILED');
    expect(error.message).toContain('refusing to start');
  });

  it('rejects asks to a stopped actor with ACTOR_STOPPED and turns tells into dead letters', async () => {
    const counter = await system.spawn(Counter, { placement, args: 0 });
    await system.stop(counter);
    expect(await codeOf(counter.ask('get'))).toBe('ACTOR_STOPPED');
    expect(await codeOf(counter.send('add', 1))).toBe('ACTOR_STOPPED');
    const dead = nextDeadLetter(system);
    counter.tell('add', 1);
    expect(await dead).toMatchObject({ type: 'add', error: { code: 'ACTOR_STOPPED' } });
  });

  it('runs onStop when stopped and reports actor:started and actor:stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multitask-'));
    try {
      const events: string[] = [];
      system.on('actor:started', (ref) => events.push(`started ${ref.name}`));
      system.on('actor:stopped', (ref, reason) => events.push(`stopped ${ref.name} ${reason.kind}`));
      const marker = join(dir, 'stopped');
      const probe = await system.spawn(Probe, { placement, args: { marker }, name: 'probe' });
      expect(system.lookup('probe')?.id).toBe(probe.id);
      await system.stop(probe);
      expect(readFileSync(marker, 'utf8')).toBe('stopped, signal aborted: true');
      expect(system.lookup('probe')).toBeUndefined();
      expect(events).toEqual(['started probe', 'stopped probe stopped']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops itself with ctx.stop, also called detached from ctx', async () => {
    const probe = await system.spawn(Probe, { placement });
    const stopped = nextEvent(system, 'actor:stopped', (ref) => ref.id === probe.id);
    await probe.ask('quit');
    expect((await stopped)[1]).toEqual({ kind: 'stopped' });
    expect(await codeOf(probe.ask('echo', 1))).toBe('ACTOR_STOPPED');
  });

  it('refuses a second actor under a taken name with NAME_TAKEN', async () => {
    await system.spawn(Counter, { placement, args: 0, name: 'only' });
    expect(await codeOf(system.spawn(Counter, { placement, args: 0, name: 'only' }))).toBe('NAME_TAKEN');
  });

  describe('with a full mailbox (handler held at a gate)', () => {
    /** A counter whose handler is held at the gate, its mailbox of `capacity` empty. */
    async function blockedCounter(overflow: 'backpressure' | 'fail' | 'drop-newest' | 'drop-oldest', capacity: number) {
      const gate = await system.spawn(Gate);
      const counter = await system.spawn(Counter, { placement, args: 0, mailbox: { capacity, overflow } });
      const held = counter.ask('block', gate, { timeout: 60_000 });
      await someoneWaiting();
      return { counter, held };
    }

    /** A blocked counter whose one mailbox slot a `send` filled. */
    async function heldCounter(overflow: 'backpressure' | 'fail' | 'drop-newest' | 'drop-oldest') {
      const blocked = await blockedCounter(overflow, 1);
      await expect(blocked.counter.send('add', 1)).resolves.toBeUndefined(); // fills the one slot
      return blocked;
    }

    /** Opens the gate and, once the held handler is done, the counter's total. */
    async function totalAfterGate({ counter, held }: Awaited<ReturnType<typeof blockedCounter>>): Promise<number> {
      openGate();
      await held;
      return counter.ask('get');
    }

    it('makes send wait under backpressure until there is room, losing nothing', async () => {
      const { counter, held } = await heldCounter('backpressure');
      let accepted = false;
      const waiting = counter.send('add', 10).then(() => (accepted = true));
      counter.tell('add', 100); // tell never throws, and waits in line behind the send
      await counter.ask('get', undefined, { timeout: 100 }).catch(() => undefined);
      expect(accepted).toBe(false);
      openGate();
      await held;
      await waiting;
      expect(await counter.ask('get')).toBe(111);
    });

    it('rejects send with MAILBOX_FULL under fail, and turns a tell into a dead letter', async () => {
      const { counter, held } = await heldCounter('fail');
      expect(await codeOf(counter.send('add', 10))).toBe('MAILBOX_FULL');
      const dead = nextDeadLetter(system);
      counter.tell('add', 100);
      expect(await dead).toMatchObject({ type: 'add', payload: 100, error: { code: 'MAILBOX_FULL' } });
      expect(await totalAfterGate({ counter, held })).toBe(1);
    });

    it.each([
      ['drop-newest', 'newest', 100, 1],
      ['drop-oldest', 'oldest', 1, 100],
    ] as const)('under %s drops the %s message, as a dead letter', async (policy, _which, dropped, total) => {
      const { counter, held } = await heldCounter(policy);
      const dead = nextDeadLetter(system);
      counter.tell('add', 100);
      expect(await dead).toMatchObject({ payload: dropped, error: { code: 'MAILBOX_FULL' } });
      expect(await totalAfterGate({ counter, held })).toBe(total);
    });

    it('under drop-oldest drops the oldest of queued tells, with its payload, as a dead letter', async () => {
      const { counter, held } = await blockedCounter('drop-oldest', 2);
      counter.tell('add', 1);
      counter.tell('add', 10);
      const dead = nextDeadLetter(system);
      counter.tell('add', 100);
      expect(await dead).toMatchObject({ type: 'add', payload: 1, error: { code: 'MAILBOX_FULL' } });
      expect(await totalAfterGate({ counter, held })).toBe(110);
    });
  });

  it('settles every pending ask with ACTOR_STOPPED on shutdown with work in flight', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multitask-'));
    try {
      const marker = join(dir, 'stopped');
      const probe = await system.spawn(Probe, { placement, args: { marker } });
      const counter = await system.spawn(Counter, { placement, args: 0 });
      const hanging = codeOf(probe.ask('hang'));
      const queued = Promise.allSettled(Array.from({ length: 50 }, (_, i) => counter.ask('slowAdd', i)));
      for (let i = 0; i < 100; i++) counter.tell('add', 1);
      await system.shutdown();
      expect(await hanging).toBe('ACTOR_STOPPED');
      const outcomes = await queued;
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect((outcome.reason as MultitaskError).code).toBe('ACTOR_STOPPED');
      }
      expect(existsSync(marker)).toBe(true);
      expect(await codeOf(system.spawn(Counter, { placement, args: 0 }))).toBe('ACTOR_STOPPED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps delivering to the other listeners when one listener throws, and warns of the throw', async () => {
    const captured = captureWarnings('MULTITASK_LISTENER');
    try {
      const seen: string[] = [];
      system.on('actor:started', () => {
        throw new Error('bad listener');
      });
      system.on('actor:started', (ref) => seen.push(ref.id));
      const counter = await system.spawn(Counter, { placement, args: 0 });
      expect(seen).toEqual([counter.id]);
      await captured.until(1);
      expect(captured.warnings.map((warning) => warning.message)).toEqual(["a 'actor:started' listener threw: bad listener"]);
    } finally {
      captured.restore();
    }
  });
});
