import { describe, expect, it } from 'vitest';
import { warmUp } from '../src/node/warmUp.js';
import { node, quietSink, runtimeAt } from './nodes.js';

describe("a spare thread's warm-up", () => {
  it('starts, messages and stops an actor of its own, within one turn, and leaves nothing behind', async () => {
    const reported: string[] = [];
    const sink = { ...quietSink, deadLetter: (to: string, type: string) => void reported.push(`dead letter ${type} to ${to}`), failure: (actor: string, type: string) => void reported.push(`failure of ${type} in ${actor}`) };
    const runtime = runtimeAt(node(1), { sink });
    const stopped: string[] = [];
    runtime.actors.onStopped = (id) => stopped.push(id);
    let turnEnded = false;
    setImmediate(() => (turnEnded = true));
    await warmUp(runtime);
    // Done before the event loop turned: no message from the parent can arrive meanwhile, so none sees it.
    expect(turnEnded).toBe(false);
    expect(stopped).toEqual([`${node(1)}.0`]);
    expect(runtime.actors.all()).toEqual([]);
    expect(reported).toEqual([]); // nothing reaches the system: no dead letter, no failure
    expect(runtime.actors.mint(false)).toBe(`${node(1)}.1`); // the actors of the host are numbered from 1 as before
  });
});
