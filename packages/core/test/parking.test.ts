import { describe, expect, it } from 'vitest';
import { Parking, type ActorEnvelope } from '../src/node/Parking.js';
import { actorId, MAIN_NODE, type NodeId } from '../src/wire/ids.js';

describe('where supervised actors are', () => {
  it('forgets an actor that is back on, or stopped on, the node its id names (a pool stopping many actors does not grow it)', () => {
    const forwarded: Array<[string, NodeId]> = [];
    const parking = new Parking(MAIN_NODE, () => undefined, (envelope, node) => forwarded.push([envelope.kind, node]));
    const onThree = actorId(3 as NodeId, 1, true);
    parking.hold(onThree, {}); // its host died: held here while it restarts
    expect(parking.away).toBe(1);
    parking.park({ kind: 'tell', dst: 3 as NodeId, to: onThree, type: 'x', payload: 1, enc: 0, from: MAIN_NODE } as ActorEnvelope);
    parking.release(onThree, 4 as NodeId); // restarted on another worker: remembered, held message passed on
    expect([parking.away, forwarded]).toEqual([1, [['tell', 4]]]);
    parking.moved(onThree, 3 as NodeId); // back where its id says
    expect(parking.away).toBe(0);
    for (let seq = 2; seq < 1_002; seq++) {
      const id = actorId(3 as NodeId, seq, true);
      parking.hold(id, {}); // stopped for good by its supervisor, on its own node
      parking.abandon(id, new Error('stopped'), 3 as NodeId);
    }
    expect(parking.away).toBe(0);
  });
});
