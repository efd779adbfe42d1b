import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';

/** What {@link watchHandlers} watches through. @internal */
export interface WatchedHost {
  readonly clock: Clock;
  /** The longest handler may run this many ms. */
  readonly limit: number;
  /** How long the host's longest running handler has run, in ms (a ping answered by the host). */
  ping(timeout: number): Promise<number>;
  /** Whether the host is still the one to watch. */
  current(): boolean;
  /** A handler overran (or the host did not answer at all: a handler blocks it). */
  overrun(): void;
}

/**
 * Pings a host every `limit / 2` ms: a host that does not answer within `limit`, or whose
 * handler has run past it, is reported once. So a hang is caught within 1.5 × `limit`.
 * Returns the cancel.
 * @internal
 */
export function watchHandlers(host: WatchedHost): () => void {
  let timer = host.clock.setTimeout(() => void check(), host.limit / 2);
  let cancelled = false;
  const check = async (): Promise<void> => {
    if (cancelled || !host.current()) return;
    let busy: number;
    try {
      busy = await host.ping(host.limit);
    } catch (error) {
      if (!(error instanceof MultitaskError && error.code === 'ASK_TIMEOUT')) return; // the host is gone
      busy = Infinity;
    }
    if (cancelled || !host.current()) return;
    if (busy > host.limit) return host.overrun();
    timer = host.clock.setTimeout(() => void check(), host.limit / 2);
  };
  return () => {
    cancelled = true;
    host.clock.clearTimeout(timer);
  };
}
