import { describe, expect, it } from 'vitest';
import { Routes } from '../src/node/Routes.js';
import type { ActorId, NodeId } from '../src/wire/ids.js';
import type { Envelope } from '../src/wire/protocol.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import { Faulty } from './fixtures/faulty.js';
import { node, noRoutes, runtimeAt } from './nodes.js';

describe('the routes of a root node', () => {
  it('remembers the most recent gone nodes with their error, not every node that ever ran', () => {
    const seen: string[] = [];
    const routes = new Routes(
      {
        receive: () => undefined,
        gone: (envelope, error) => seen.push(`${envelope.dst} gone: ${error.message}`),
        unroutable: (envelope) => seen.push(`${envelope.dst} unroutable`),
        unsendable: () => undefined,
        connect: () => undefined,
      },
      noRoutes,
    );
    for (let n = 1; n <= 3000; n++) routes.down(node(n), new Error(`host ${n} crashed`));
    const tell = (dst: NodeId): Envelope => ({ kind: 'tell', dst, to: `${dst}.1`, type: 't', payload: 0, enc: 0, from: node(0) }) as Envelope;
    routes.send(tell(node(3000)), undefined, false);
    routes.send(tell(node(1)), undefined, false);
    expect(seen).toEqual(['t:3000 gone: host 3000 crashed', 't:1 unroutable']);
  });

  it('forgets every node of a system that went down, and refuses what is sent to any of them', () => {
    const seen: string[] = [];
    const routes = new Routes(
      { receive: () => undefined, gone: (envelope, error) => seen.push(`${envelope.dst}: ${error.message}`), unroutable: () => undefined, unsendable: () => undefined, connect: () => undefined },
      { resolve: () => ({ via: 'b:0' as NodeId }) },
    );
    routes.attach('b:0' as NodeId, openInlinePair().a);
    routes.down('b:*' as NodeId, new Error('b left'));
    routes.send({ kind: 'tell', dst: 'b:7' as NodeId, to: 'b:7.1' as ActorId, type: 't', payload: 0, enc: 0, from: node(0) }, undefined, false);
    expect(seen).toEqual(['b:7: b left']);
  });
});

describe('a message for an actor that moved', () => {
  it('reaches it where it runs now, also when the node its id names is unknown here (forgotten long ago)', async () => {
    const { a, b } = openInlinePair();
    const main = runtimeAt(node(0));
    const worker = runtimeAt(node(4), { parent: { node: node(0), endpoint: b } });
    main.attach(node(4), a);
    const id = 't:3.s1' as ActorId; // started on node 3, which main no longer knows
    await worker.actors.start(id, undefined, Faulty as never, {}, { label: 'moved', start: 7 });
    main.parking.holdFor(id, {});
    main.parking.release(id, node(4)); // restarted on node 4
    expect(await main.ask(id, node(3), 'get', undefined, { timeout: 5_000 })).toBe(7);
  });
});
