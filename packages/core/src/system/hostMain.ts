/**
 * The runtime of a thread or process host: the module the bootstrap imports. It connects
 * to the parent and serves spawn, stop and message envelopes until the parent ends it.
 * @internal
 * @packageDocumentation
 */
import { systemClock } from '../clock.js';
import { serializeError } from '../wire/errorWire.js';
import { MAIN_NODE, type NodeId } from '../wire/ids.js';
import { connectParent } from '../transport/parentTransport.js';
import { encode } from '../wire/messageCodec.js';
import { Runtime } from '../node/Runtime.js';

/** What the parent hands a new host. @internal */
export interface HostData {
  readonly node: NodeId;
  readonly askTimeout: number;
  readonly stopGrace: number;
}

/** Starts this host's runtime. Called by the bootstrap. @internal */
export function startHost(data: HostData): Runtime {
  const { kind, endpoint } = connectParent();
  const runtime: Runtime = new Runtime({
    node: data.node,
    kind,
    clock: systemClock,
    askTimeout: data.askTimeout,
    stopGrace: data.stopGrace,
    parent: endpoint,
    sink: {
      deadLetter(to, type, payload, error) {
        let wire: ReturnType<typeof encode>;
        try {
          wire = encode(payload, runtime);
        } catch {
          wire = { value: undefined, enc: 0 };
        }
        runtime.route({ kind: 'dead-letter', dst: MAIN_NODE, to, type, payload: wire.value, enc: wire.enc, error: serializeError(error) });
      },
      failure(actor, type, error) {
        runtime.route({ kind: 'failure', dst: MAIN_NODE, actor, type, error: serializeError(error) });
      },
      crashed(actor, error, generation) {
        runtime.route({ kind: 'crashed', dst: MAIN_NODE, actor, error: error === null ? null : serializeError(error), generation });
      },
      connect() {
        // Only the main thread hands out routes.
      },
    },
  });
  // A handler that ends its host with process.exit() right after sending: what it sent in
  // this turn (batched tells, items sent on credit) still leaves.
  process.once('exit', () => runtime.flushAll());
  return runtime;
}
