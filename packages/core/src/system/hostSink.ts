/**
 * Where a thread or process host sends what its system's root reports: dead letters,
 * failures and the ends that the root tracks, all to the root.
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import { serializeError } from '../wire/errorWire.js';
import type { NodeId } from '../wire/ids.js';
import { encode } from '../wire/messageCodec.js';
import type { Runtime, RuntimeSink } from '../node/Runtime.js';

/**
 * The sink of the host whose runtime `runtime()` gives, reporting to its root `root`
 * (`runtime` is a function: the runtime is made with its sink).
 * @internal
 */
export function hostSink(runtime: () => Runtime, root: NodeId): RuntimeSink {
  return {
    deadLetter(to, type, payload, error, definition) {
      let wire: ReturnType<typeof encode>;
      try {
        wire = encode(payload, runtime());
      } catch {
        wire = { value: undefined, enc: 0 };
      }
      runtime().route({ kind: 'dead-letter', dst: root, to, type, payload: wire.value, enc: wire.enc, error: serializeError(error), definition });
    },
    failure(actor, type, error) {
      runtime().route({ kind: 'failure', dst: root, actor, type, error: serializeError(error) });
    },
    crashed(actor, error, generation, _madeHere, childHere) {
      // A child that an actor here started and saw stop is that actor's alone: the root
      // neither started nor tracks it (a tree of actors here would send it one report each).
      if (childHere === true && error === null) return;
      runtime().route({ kind: 'crashed', dst: root, actor, error: error === null ? null : serializeError(error), generation });
    },
    connect() {
      // Only a system's root hands out routes.
    },
    request(envelope) {
      // Only a system's root places actors and answers other systems.
      runtime().fail(envelope.from, envelope.cid, new MultitaskError(envelope.kind === 'spawn' ? 'SPAWN_FAILED' : 'INVALID_ARGUMENT', `node ${runtime().node} does not take ${envelope.kind} requests from other nodes`));
    },
  };
}
