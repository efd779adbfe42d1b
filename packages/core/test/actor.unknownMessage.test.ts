import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem, type Placement } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Probe } from './fixtures/probe.js';
import { captureWarnings, failureOf, nextEvent, turn, type CapturedWarnings } from './helpers.js';

const placements: readonly Placement[] = ['inline', 'thread', 'process'];

/** A ref that takes any message type, as plain JavaScript would call it. */
interface Untyped {
  tell(type: string, payload?: unknown): void;
  send(type: string, payload?: unknown): Promise<void>;
  ask(type: string, payload?: unknown): Promise<unknown>;
}

const untyped = (ref: unknown): Untyped => ref as Untyped;

describe.each(placements)('a message type an actor has no handler for, on the %s placement', (placement) => {
  let system: ActorSystem;
  let captured: CapturedWarnings;

  beforeEach(() => {
    system = createSystem();
    captured = captureWarnings('MULTITASK_UNKNOWN_MESSAGE');
  });

  afterEach(async () => {
    captured.restore();
    await system.shutdown();
  });

  it('rejects an ask with UNKNOWN_MESSAGE naming the handlers the actor has', async () => {
    const counter = await system.spawn(Counter, { placement, args: 0 });
    const error = await failureOf<Error & { code: string }>(untyped(counter).ask('increment', 1));
    expect(error.code).toBe('UNKNOWN_MESSAGE');
    expect(error.message).toContain("actor Counter");
    expect(error.message).toContain("no handler for message type 'increment'; its handlers are 'add', 'get', 'slowAdd', 'record', 'seen', 'block', 'where'");
    expect(captured.warnings).toEqual([]); // the asker heard of it: nothing to warn of
  });

  it('warns once per definition and message type of tells and sends nobody hears of', async () => {
    const [first, second] = await Promise.all([system.spawn(Counter, { placement, args: 0 }), system.spawn(Counter, { placement, args: 0 })]);
    const probe = await system.spawn(Probe, { placement });
    untyped(first).tell('increment', 1);
    untyped(second).tell('increment', 2); // same definition, same type: no second warning
    await untyped(first).send('reset'); // accepted by the mailbox, then dropped
    untyped(first).tell('increment', 3);
    untyped(probe).tell('increment', 4); // another definition
    // Each actor's dead letters reach the root before its answer to a later ask.
    await Promise.all([first.ask('get'), second.ask('get'), probe.ask('echo', 0)]);
    await turn();
    const messages = captured.warnings.map((warning) => warning.message);
    expect(messages).toHaveLength(3);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/actor Counter .* no handler for message type 'increment'; its handlers are 'add', 'get'/),
        expect.stringMatching(/actor Counter .* no handler for message type 'reset'/),
        expect.stringMatching(/actor Probe .* no handler for message type 'increment'; its handlers are 'fail'/),
      ]),
    );
    expect(captured.warnings[0]).toMatchObject({ code: 'MULTITASK_UNKNOWN_MESSAGE', detail: expect.stringContaining("'dead-letter'") });
  });

  it("does not warn while the system has a 'dead-letter' listener, and warns once it has none", async () => {
    const counter = await system.spawn(Counter, { placement, args: 0 });
    const dead = nextEvent(system, 'dead-letter'); // a listener that goes after one event
    untyped(counter).tell('increment', 1);
    expect((await dead)[0]).toMatchObject({ type: 'increment', payload: 1, error: { code: 'UNKNOWN_MESSAGE' } });
    await counter.ask('get');
    await turn();
    expect(captured.warnings).toEqual([]);
    untyped(counter).tell('increment', 2);
    await captured.until(1);
    expect(captured.warnings[0]?.message).toContain("no handler for message type 'increment'");
  });
});
