import { describe, expect, it } from 'vitest';
import { Routes } from '../src/node/Routes.js';
import { Runtime, type RuntimeSink } from '../src/node/Runtime.js';
import { MAIN_NODE, type ActorId, type NodeId } from '../src/wire/ids.js';
import { systemClock } from '../src/index.js';
import type { Envelope } from '../src/wire/protocol.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import { Faulty } from './fixtures/faulty.js';

describe('the routes of the main thread', () => {
  it('remembers the most recent gone nodes with their error, not every node that ever ran', () => {
    const seen: string[] = [];
    const routes = new Routes(MAIN_NODE, 'main', {
      receive: () => undefined,
      gone: (envelope, error) => seen.push(`${envelope.dst} gone: ${error.message}`),
      unroutable: (envelope) => seen.push(`${envelope.dst} unroutable`),
      unsendable: () => undefined,
    });
    for (let node = 1; node <= 3000; node++) routes.down(node as NodeId, new Error(`host ${node} crashed`));
    const tell = (dst: number): Envelope => ({ kind: 'tell', dst: dst as NodeId, to: `${dst}.1`, type: 't', payload: 0, enc: 0, from: MAIN_NODE }) as Envelope;
    routes.send(tell(3000), undefined, false);
    routes.send(tell(1), undefined, false);
    expect(seen).toEqual(['3000 gone: host 3000 crashed', '1 unroutable']);
  });
});

describe('a message for an actor that moved', () => {
  it('reaches it where it runs now, also when the node its id names is unknown here (forgotten long ago)', async () => {
    const sink: RuntimeSink = { deadLetter() {}, failure() {}, crashed() {}, connect() {} };
    const { a, b } = openInlinePair();
    const main = new Runtime({ node: MAIN_NODE, kind: 'main', clock: systemClock, askTimeout: 5_000, stopGrace: 10, parent: undefined, sink });
    const worker = new Runtime({ node: 4 as NodeId, kind: 'thread', clock: systemClock, askTimeout: 5_000, stopGrace: 10, parent: b, sink });
    main.attach(4 as NodeId, a);
    const id = '3.s1' as ActorId; // started on node 3, which main no longer knows
    await worker.actors.start(id, undefined, Faulty as never, {}, { label: 'moved', start: 7 });
    main.parking.hold(id, {});
    main.parking.release(id, 4 as NodeId); // restarted on node 4
    expect(await main.ask(id, 3 as NodeId, 'get', undefined, { timeout: 5_000 })).toBe(7);
  });
});
