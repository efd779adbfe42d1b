import { describe, expect, it } from 'vitest';
import { Parking, type ActorEnvelope } from '../src/node/Parking.js';
import { actorId, type NodeId } from '../src/wire/ids.js';
import { node } from './nodes.js';

describe('where supervised actors are', () => {
  it('forgets an actor that is back on, or stopped on, the node its id names (a pool stopping many actors does not grow it)', () => {
    const forwarded: Array<[string, NodeId]> = [];
    const parking = new Parking(node(0), {
      refuse: () => undefined,
      forward: (envelope, to) => forwarded.push([envelope.kind, to]),
      sameWay: () => false,
      isDown: () => false,
      released: () => undefined,
    });
    const onThree = actorId(node(3), 1, true);
    parking.holdFor(onThree, {}); // its host died: held here while it restarts
    expect(parking.away).toBe(1);
    parking.park({ kind: 'tell', dst: node(3), to: onThree, type: 'x', payload: 1, enc: 0, from: node(0) } as ActorEnvelope);
    parking.release(onThree, node(4)); // restarted on another worker: remembered, held message passed on
    expect([parking.away, forwarded]).toEqual([1, [['tell', node(4)]]]);
    parking.moved(onThree, node(3)); // back where its id says
    expect(parking.away).toBe(0);
    for (let seq = 2; seq < 1_002; seq++) {
      const id = actorId(node(3), seq, true);
      parking.holdFor(id, {}); // stopped for good by its supervisor, on its own node
      parking.abandon(id, new Error('stopped'), node(3));
    }
    expect(parking.away).toBe(0);
  });
});
