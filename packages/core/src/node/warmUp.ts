/**
 * A spare thread's warm-up: it runs, once, what the spawn of an actor and its first
 * messages run, so that V8 compiles that code while the spare waits rather than during
 * the restart that takes it.
 * @internal
 * @packageDocumentation
 */
import { defineActor } from '../actor/defineActor.js';
import { actorId } from '../wire/ids.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { Runtime } from './Runtime.js';

/**
 * V8 compiles a function when it first runs. A booted spare has imported the runtime and
 * the actor modules but run none of the code a spawn runs (cell, context, mailbox, a turn,
 * a stop): measured on the restart path, the spawn on the spare took ~5 ms cold and ~3.5 ms
 * after this (~1 ms here, where nothing waits on it).
 */
const Warm = defineActor({
  url: import.meta.url,
  name: 'multitask:warm-up',
  init: () => 0,
  handlers: {
    add(ctx, n: number) {
      return ctx.state + n;
    },
  },
});

/**
 * Starts an actor of the runtime's own, asks it something and stops it. Its id has
 * sequence 0, which this node never gives an actor, so that nothing else can address it;
 * it runs before the host is observed, so that telemetry and diagnostics never see it.
 * @internal
 */
export async function warmUp(runtime: Runtime): Promise<void> {
  const id = actorId(runtime.node, 0);
  await runtime.actors.start(id, undefined, Warm, {}, undefined);
  await (runtime.makeRef(id, undefined) as ActorRef<typeof Warm>).ask('add', 1); // handled before the stop: no dead letter
  await runtime.actors.stop(id);
}
