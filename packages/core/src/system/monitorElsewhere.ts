import { errorMessage } from '../actor/errorMessage.js';
import type { DownReason } from '../actor/DownReason.js';
import type { Runtime } from '../node/Runtime.js';
import type { ActorId } from '../wire/ids.js';

/**
 * A system's monitor of an actor that another system runs: the node where it runs says
 * when it ends, or its death does (see `Runtime.monitor`). `listener` is called once, on
 * its own (a throw is a warning), never during this call; the returned cancel stops it.
 * @internal
 */
export function monitorElsewhere(runtime: Runtime, actor: ActorId, listener: (reason: DownReason) => void): () => void {
  let fired = false;
  const once = (reason: DownReason): void => {
    if (fired) return;
    fired = true;
    queueMicrotask(() => {
      try {
        listener(reason);
      } catch (error) {
        process.emitWarning(`a monitor listener threw: ${errorMessage(error)}`, { code: 'MULTITASK_LISTENER' });
      }
    });
  };
  const cancel = runtime.monitor(actor, once);
  return () => {
    fired = true;
    cancel();
  };
}
