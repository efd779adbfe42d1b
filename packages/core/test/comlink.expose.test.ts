import { once } from 'node:events';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createSystem, type ActorRef, type ActorSystem, type Placement } from '../src/index.js';
import { exposeActor, type ExposedActor } from '../src/interop/comlink.js';
import { heldCalls, Tally } from './fixtures/tally.js';
import { codeOf, failureOf } from './helpers.js';

type TallyRemote = Comlink.Remote<ExposedActor<typeof Tally>>;

describe('exposeActor: an actor served to comlink clients', () => {
  let system: ActorSystem | undefined;
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  afterEach(async () => {
    for (const port of ports.splice(0)) port.close();
    await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
    await system?.shutdown();
  });

  async function served(options?: { timeout: number }, placement: Placement = 'inline') {
    system = createSystem({ shutdownTimeout: 400 });
    const tally = await system.spawn(Tally, { placement });
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const exposure = exposeActor(tally, port1, options);
    const remote: TallyRemote = Comlink.wrap<ExposedActor<typeof Tally>>(port2);
    return { tally, exposure, remote, port1, port2 };
  }

  it('answers each comlink call with an ask that goes through the actor mailbox', async () => {
    const { tally, remote } = await served();
    tally.tell('add', 1);
    expect(await remote.add(2)).toBe(3);
    expect(await remote.get()).toBe(3);
    expect(await tally.ask('get')).toBe(3);
  });

  it('handles pipelined comlink calls one at a time, in the order they were made', async () => {
    const { remote } = await served();
    const labels = ['a', 'b', 'c', 'd', 'e'];
    expect(await Promise.all(labels.map((label) => remote.slow(label)))).toEqual(labels);
    expect(await remote.stats()).toEqual({ mostActive: 1, order: labels });
  });

  it('takes one argument as the payload and refuses a call with more with INVALID_ARGUMENT', async () => {
    const { remote } = await served();
    expect(await remote.pair({ a: 2, b: 3 })).toBe(6);
    const twoArgs = remote as unknown as { add(a: number, b: number): Promise<number> };
    const error = await failureOf(twoArgs.add(1, 2));
    expect(error).toMatchObject({ name: 'MultitaskError', code: 'INVALID_ARGUMENT' });
    expect(await remote.get()).toBe(0); // nothing reached the actor
  });

  it("rejects a handler's error at the comlink caller with its name, message, code and own properties", async () => {
    const { remote } = await served();
    const error = await failureOf<Error & { code?: string; detail?: unknown }>(remote.fail('out of range'));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RangeError');
    expect(error.message).toBe('out of range');
    expect(error.code).toBe('E_TALLY');
    expect(error.detail).toEqual({ field: 'x' });
    expect(error.stack).toContain('out of range');
    expect(await remote.add(1)).toBe(1); // the unsupervised actor goes on
  });

  it("serves an actor on a thread the same way: its handler's error keeps its code", async () => {
    const { remote } = await served(undefined, 'thread');
    expect(await remote.add(3)).toBe(3);
    expect(await failureOf(remote.fail('far away'))).toMatchObject({ name: 'RangeError', message: 'far away', code: 'E_TALLY' });
  });

  it('rejects a message type the actor has no handler for with UNKNOWN_MESSAGE', async () => {
    const { remote } = await served();
    const untyped = remote as unknown as { reset(): Promise<void>; nested: { deep(): Promise<void> } };
    expect(await codeOf(untyped.reset())).toBe('UNKNOWN_MESSAGE');
    expect(await codeOf(untyped.nested.deep())).toBe('UNKNOWN_MESSAGE');
  });

  it('refuses reading a property or constructing with INVALID_ARGUMENT: an actor has messages, not properties', async () => {
    const { remote } = await served();
    const untyped = remote as unknown as { total: Promise<number> };
    expect(await codeOf(untyped.total)).toBe('INVALID_ARGUMENT');
    const Construct = remote as unknown as new () => Promise<unknown>;
    expect(await codeOf(new Construct())).toBe('INVALID_ARGUMENT');
  });

  it('ignores setting a property, without a rejection the client could not catch', async () => {
    const { remote } = await served();
    (remote as unknown as Record<string, unknown>).total = 5;
    expect(await remote.get()).toBe(0);
  });

  it('rejects a reply comlink cannot copy with NOT_SERIALIZABLE', async () => {
    const { remote } = await served();
    expect(await codeOf(remote.fn())).toBe('NOT_SERIALIZABLE');
    expect(await remote.add(1)).toBe(1);
  });

  it('rejects a call the actor does not answer within the timeout with ASK_TIMEOUT', async () => {
    const { remote } = await served({ timeout: 20 });
    expect(await codeOf(remote.hang())).toBe('ASK_TIMEOUT');
  });

  it('ends the exposure and closes the port when the client releases its proxy', async () => {
    const { exposure, remote, port2 } = await served();
    expect(await remote.add(1)).toBe(1);
    const portClosed = once(port2, 'close');
    remote[Comlink.releaseProxy]();
    await exposure.closed;
    await portClosed;
  });

  it('answers the calls in flight when closed, then closes the port; later calls fail with ACTOR_STOPPED', async () => {
    const { exposure, remote, port2 } = await served();
    const inFlight = remote.held('last');
    for (let i = 0; i < 10_000 && heldCalls.length === 0; i++) await new Promise((resolve) => setImmediate(resolve)); // the call reached the actor
    expect(heldCalls).toHaveLength(1);
    const portClosed = once(port2, 'close');
    const closing = exposure.close();
    const late = codeOf(remote.add(1));
    expect(await late).toBe('ACTOR_STOPPED'); // refused while the call in flight is still being answered
    for (const release of heldCalls.splice(0)) release();
    expect(await inFlight).toBe('last');
    await closing;
    await portClosed;
  });

  it('ends the exposure when the other side closes the port', async () => {
    const { exposure, port2 } = await served();
    port2.close();
    await exposure.closed;
  });

  it('makes more endpoints to the same actor with Comlink.createEndpoint, closed with the exposure', async () => {
    const { tally, exposure, remote } = await served();
    const port = await remote[Comlink.createEndpoint]();
    ports.push(port);
    const second = Comlink.wrap<ExposedActor<typeof Tally>>(port);
    await second.add(4);
    expect(await remote.get()).toBe(4);
    expect(await tally.ask('get')).toBe(4);
    const secondClosed = once(port, 'close');
    await exposure.close();
    await secondClosed;
  });

  it('serves comlink code running in a worker thread, over the Worker itself', async () => {
    system = createSystem({ shutdownTimeout: 400 });
    const tally: ActorRef<typeof Tally> = await system.spawn(Tally);
    const worker = new Worker(new URL('./fixtures/comlinkClient.mjs', import.meta.url));
    workers.push(worker);
    const exposure = exposeActor(tally, worker);
    // The worker's comlink requests come on the same channel as its report.
    const report = await new Promise((resolve) => worker.on('message', (message: { report?: unknown }) => message.report !== undefined && resolve(message.report)));
    expect(report).toEqual({ total: 7, code: 'UNKNOWN_MESSAGE' });
    await exposure.closed; // the client released its proxy
    expect(await tally.ask('get')).toBe(7);
  });

  it('refuses what cannot be exposed with INVALID_ARGUMENT, at the call site', async () => {
    system = createSystem();
    const tally = await system.spawn(Tally);
    const { port1 } = new MessageChannel();
    ports.push(port1);
    expect(() => exposeActor({} as never, port1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => exposeActor(tally, {} as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => exposeActor(tally, port1, { timeout: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
