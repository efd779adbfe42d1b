import { afterEach, describe, expect, it } from 'vitest';
import { createSystem, MultitaskError, type ActorSystem, type Placement, type SystemOptions } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Nest } from './fixtures/nest.js';
import { Probe, QuotaError } from './fixtures/probe.js';
import { codeOf, failureOf } from './helpers.js';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}

  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

// Each case runs on a thread too: what copyInline does inline is what a thread does.
const cases: ReadonlyArray<readonly [string, Placement, SystemOptions]> = [
  ['inline, with copyInline', 'inline', { copyInline: true }],
  ['a thread', 'thread', {}],
];

describe.each(cases)('an actor on %s', (_label, placement, options) => {
  let system: ActorSystem;

  afterEach(async () => {
    await system.shutdown();
  });

  async function spawnProbe() {
    system = createSystem(options);
    return system.spawn(Probe, { placement });
  }

  it('gets a class instance as a plain object, and so does its asker', async () => {
    const probe = await spawnProbe();
    expect(await probe.ask('className', new Point(3, 4))).toBe('Object');
    const reply = await probe.ask('echo', new Point(3, 4));
    expect(reply).toEqual({ x: 3, y: 4 });
    expect(reply).not.toBeInstanceOf(Point);
  });

  it('does not see what the sender changes once the message is sent', async () => {
    const probe = await spawnProbe();
    const sent = { items: [1] };
    await probe.send('keep', sent); // a thread's batch leaves at the end of the tick: after this, for sure
    sent.items.push(2);
    expect(await probe.ask('kept')).toEqual({ items: [1] });
    const reply = (await probe.ask('echo', sent)) as { items: number[] };
    expect(reply).not.toBe(sent);
  });

  it('refuses a reply holding a function with NOT_SERIALIZABLE, naming the actor, the message type and the path', async () => {
    const probe = await spawnProbe();
    const error = await failureOf<MultitaskError>(probe.ask('unclonableReply'));
    expect(error).toBeInstanceOf(MultitaskError);
    expect(error.code).toBe('NOT_SERIALIZABLE');
    expect(error.message).toBe(`the reply of actor Probe (${probe.id}) to 'unclonableReply' cannot be copied to another thread or process: a function (fn) at fn`);
    await expect(probe.ask('echo', 2)).resolves.toBe(2); // the actor goes on
  });

  it('refuses a payload holding a function or a symbol at the call site', async () => {
    const probe = await spawnProbe();
    expect(() => probe.tell('keep', { f: () => 1 })).toThrow(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }));
    expect(await codeOf(probe.send('keep', [Symbol('s')]))).toBe('NOT_SERIALIZABLE');
    expect(await codeOf(probe.ask('echo', { nested: { f: () => 1 } }))).toBe('NOT_SERIALIZABLE');
  });

  it("rebuilds a handler's error as a thread does: its name, code, cause and own properties, not its class", async () => {
    const probe = await spawnProbe();
    const error = await failureOf<QuotaError & { cause: Error }>(probe.ask('fail', 3));
    expect(error).not.toBeInstanceOf(QuotaError);
    expect(error).toMatchObject({ name: 'QuotaError', message: 'quota of 3 exceeded', code: 'E_QUOTA', limit: 3 });
    expect(error.cause).toBeInstanceOf(RangeError);
    expect(await failureOf(probe.ask('failCoded'))).toBeInstanceOf(MultitaskError);
  });

  it('gets spawn arguments that are a class instance as a plain object', async () => {
    system = createSystem(options);
    class ProbeArgs {
      failStart = false;
    }
    const probe = await system.spawn(Probe, { placement, args: new ProbeArgs() });
    expect(await probe.ask('argsClass')).toBe('Object');
  });

  it('keeps refs working inside payloads and spawn arguments', async () => {
    system = createSystem(options);
    const counter = await system.spawn(Counter, { placement, args: 0 });
    const probe = await system.spawn(Probe, { placement, args: { peer: counter } });
    expect(await probe.ask('addToPeer', 2)).toBe(2);
    expect(await probe.ask('addVia', { target: counter, by: 3 })).toBe(5);
    expect((await probe.ask('self')).id).toBe(probe.id);
  });
});

describe('copyInline', () => {
  it('reaches the inline children of an actor on a thread: they share its thread, and get copies too', async () => {
    await using copying = createSystem({ copyInline: true });
    const nest = await copying.spawn(Nest, { placement: 'thread' });
    expect(await nest.ask('classSeenByChild')).toBe('Object');
    await using sharing = createSystem();
    const other = await sharing.spawn(Nest, { placement: 'thread' });
    expect(await other.ask('classSeenByChild')).toBe('Local');
  });

  it('is off by default: inline messages and replies are handed over as they are', async () => {
    await using system = createSystem();
    const probe = await system.spawn(Probe);
    const point = new Point(3, 4);
    expect(await probe.ask('echo', point)).toBe(point);
  });

  it('must be true or false', () => {
    expect(() => createSystem({ copyInline: 'yes' as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'options.copyInline must be true or false' }));
  });
});
