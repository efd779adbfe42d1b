import { describe, expect, it } from 'vitest';
import { Parking, type ActorEnvelope } from '../src/node/Parking.js';
import { actorId, everyNodeOf, nodeAddress, type NodeId, type SystemId } from '../src/wire/ids.js';
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
    const forgotten = new Set<string>();
    for (let seq = 2; seq < 3_002; seq++) {
      const id = actorId(node(3), seq, true);
      parking.holdFor(id, {}); // stopped for good by its supervisor
      const oldest = parking.abandon(id, new Error('stopped'));
      if (oldest !== undefined) forgotten.add(oldest);
    }
    // Messages for the newest 1024 come here to fail with their errors; the older ones are forgotten.
    expect([parking.away, forgotten.size]).toEqual([1_024, 3_000 - 1_024]);
    expect(forgotten.has(actorId(node(3), 2, true))).toBe(true);
  });

  it('fails what was held for an actor gone for good, and later messages for it, with its error, until it starts again', () => {
    const refused: Array<[string, string]> = [];
    const forwarded: NodeId[] = [];
    const parking = new Parking(node(0), {
      refuse: (envelope, error) => refused.push([envelope.kind, error.message]),
      forward: (_envelope, to) => forwarded.push(to),
      sameWay: () => false,
      isDown: () => false,
      released: () => undefined,
    });
    const id = actorId(node(3), 1, true);
    const tell = { kind: 'tell', dst: node(3), to: id, type: 'x', payload: 1, enc: 0, from: node(0) } as ActorEnvelope;
    parking.holdFor(id, {});
    parking.park(tell);
    parking.abandon(id, new Error('its supervisor gave up'));
    expect(parking.whereIs(id)).toBe(node(0)); // other nodes are told to send its messages here
    expect([parking.orphan(tell), parking.redirect(tell, node(3))]).toEqual([true, true]);
    expect(refused).toEqual(Array.from({ length: 3 }, () => ['tell', 'its supervisor gave up']));
    parking.release(id, node(4)); // its supervisor was restarted by its own, with its children
    parking.orphan(tell);
    expect([refused.length, forwarded]).toEqual([3, [node(4)]]);
  });

  it('lets go of what waits behind a fence when the node the fence goes to dies, not only the node it goes through', () => {
    // Node c0 learns that an actor of system a now runs on b1: a fence goes the old way (a0,
    // which passes it on to b1), and c0's messages for the actor wait until b1 answers it.
    const [a0, b1, c0] = [nodeAddress('a' as SystemId, 0), nodeAddress('b' as SystemId, 1), nodeAddress('c' as SystemId, 0)];
    const forwarded: NodeId[] = [];
    const parking = new Parking(c0, { refuse: () => undefined, forward: (_envelope, to) => forwarded.push(to), sameWay: () => false, isDown: () => false, released: () => undefined });
    const id = actorId(a0, 1, true);
    expect(parking.relocate(id, b1)).toMatchObject({ kind: 'fence', dst: a0, to: id });
    const ask = { kind: 'ask', dst: b1, to: id, type: 'where', payload: undefined, enc: 0, from: c0, cid: 1 } as ActorEnvelope;
    expect(parking.hold(ask)).toBe(true);
    // b dies with the fence on its way there: nothing will answer it.
    parking.down(everyNodeOf('b' as SystemId));
    expect(parking.fencing).toBe(false);
    expect(forwarded).toHaveLength(1); // the ask goes on its way (and learns there what became of its actor)
  });
});
