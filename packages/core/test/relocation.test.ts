import { describe, expect, it } from 'vitest';
import type { Runtime } from '../src/node/Runtime.js';
import type { Endpoint } from '../src/transport/Endpoint.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import { actorId } from '../src/wire/ids.js';
import { serializeError } from '../src/wire/errorWire.js';
import type { Frame } from '../src/wire/frames.js';
import { Faulty } from './fixtures/faulty.js';
import { node, runtimeAt } from './nodes.js';

/** Lets queued microtasks run (inline endpoints deliver on microtasks). */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** An endpoint whose frames can be held in transit (a slow link), then let go. */
function holdable(endpoint: Endpoint): Endpoint & { hold(): () => void } {
  let held: Frame[] | undefined;
  return {
    post: (frame, transfer) => (held === undefined ? endpoint.post(frame, transfer) : void held.push(frame)),
    onReceive: (receiver) => endpoint.onReceive(receiver),
    close: () => endpoint.close(),
    hold() {
      held = [];
      return () => {
        const frames = held ?? [];
        held = undefined;
        for (const frame of frames) endpoint.post(frame);
      };
    },
  };
}

/**
 * A root (node 0) and two of its nodes in this thread: a sender (1), which reaches the root
 * through its parent link and node 2 over a direct link, and node 2, whose link from the
 * root can be slowed. Supervised actor `x` first ran on node 3, which died: its messages
 * are held by the root while it restarts.
 */
function restartScene(): { root: Runtime; sender: Runtime; target: Runtime; slowRootToTarget: () => () => void; x: ReturnType<typeof actorId> } {
  const rootSender = openInlinePair();
  const rootTarget = openInlinePair();
  const direct = openInlinePair();
  const toTarget = holdable(rootTarget.a);
  const root = runtimeAt(node(0));
  // Each reaches the other over its direct link, and everything else through the root.
  const sender = runtimeAt(node(1), { parent: { node: node(0), endpoint: rootSender.b } });
  const target = runtimeAt(node(2), { parent: { node: node(0), endpoint: rootTarget.b } });
  root.attach(node(1), rootSender.a);
  root.attach(node(2), toTarget);
  sender.attach(node(2), direct.a);
  target.attach(node(1), direct.b);
  const x = actorId(node(3), 1, true);
  const died = new Error('node 3 died');
  root.parking.holdFor(x, {});
  const reason = { kind: 'error', error: died } as const;
  root.nodeDown(node(3), died, reason, [x], [[x, node(0)]]);
  sender.nodeDown(node(3), died, reason, [x], [[x, node(0)]]); // as the root's `down` says
  target.nodeDown(node(3), died, reason, [x], [[x, node(0)]]);
  return { root, sender, target, slowRootToTarget: () => toTarget.hold(), x };
}

describe('a sender whose way to a supervised actor changes', () => {
  it('keeps its order: messages held while the actor restarted are not overtaken by later ones sent directly', async () => {
    const { root, sender, target, slowRootToTarget, x } = restartScene();
    sender.tell(x, node(3), 'note', 1, true); // held by the root
    await microtasks();
    await target.actors.start(x, undefined, Faulty as never, {}, { label: 'fenced' }, 2); // restarted on node 2
    const letGo = slowRootToTarget(); // the root's link to node 2 is slow
    root.parking.release(x, node(2)); // the held message goes there, slowly
    root.route({ kind: 'relocate', dst: node(1), id: x, node: node(2) });
    await microtasks(); // the sender knows where the actor is now
    sender.tell(x, node(3), 'note', 2, true); // the direct link is quick
    sender.tell(x, node(3), 'note', 3, true);
    await microtasks();
    letGo();
    await microtasks();
    expect(await target.ask(x, node(2), 'seen', undefined, { timeout: 5_000 })).toEqual([1, 2, 3]);
  });

  it("holds what waited for a port to a node that died, as the root holds the rest, when its actor is restarting", async () => {
    const rootSender = openInlinePair();
    const root = runtimeAt(node(0));
    const sender = runtimeAt(node(1), {
      parent: { node: node(0), endpoint: rootSender.b },
      resolver: { resolve: () => 'connect' }, // a thread: it asks the root for a port first (the root here never answers)
    });
    root.attach(node(1), rootSender.a);
    const x = actorId(node(3), 1, true);
    const answer = sender.ask(x, node(3), 'get', undefined, { timeout: 5_000 }); // waits for a port to node 3
    await microtasks();
    // Node 3 dies before the port comes: the root holds x's messages while it restarts.
    const died = new Error('node 3 died');
    root.parking.holdFor(x, {});
    root.nodeDown(node(3), died, { kind: 'error', error: died }, [], [[x, node(0)]]);
    const error = serializeError(died);
    root.route({ kind: 'down', dst: node(1), node: node(3), error, reason: { kind: 'error', code: undefined, signal: undefined, error }, actors: [], moved: [[x, node(0)]] });
    await microtasks();
    // Restarted on node 2, which the root reaches directly.
    const rootTarget = openInlinePair();
    const target = runtimeAt(node(2), { parent: { node: node(0), endpoint: rootTarget.b } });
    root.attach(node(2), rootTarget.a);
    await target.actors.start(x, undefined, Faulty as never, {}, { label: 'late', start: 42 }, 2);
    root.parking.release(x, node(2));
    expect(await answer).toBe(42);
  });
});
