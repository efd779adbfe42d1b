import type { CellObserver } from '../actor/CellObserver.js';

/**
 * What a node tells an observer beyond its handlers: each message its refs send. Set on the
 * node's runtime only while someone looks (telemetry on, a diagnostics subscriber); with
 * nobody looking a send costs a load and a branch.
 * @internal
 */
export interface NodeObserver extends CellObserver {
  /**
   * A ref on this node sends a `tell`, `ask` or `send` of message `type`. Returns the W3C
   * `traceparent` the message carries to its handler (wherever it runs) when a span is
   * active, else `undefined`.
   */
  sent(kind: 'tell' | 'ask' | 'send', type: string): string | undefined;
  /** An ask of message `type` was given up by its caller: it timed out, or (`aborted`) its signal fired. */
  abandoned(type: string, aborted: boolean): void;
}
