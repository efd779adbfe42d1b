import type { ActorId } from '../wire/ids.js';

/** What an observer may read of a running actor. @internal */
export interface ObservedCell {
  readonly id: ActorId;
  /** Its definition's name. */
  readonly definitionName: string;
  /** Messages waiting in its mailbox now. */
  readonly depth: number;
}

/**
 * The hook a cell calls around each handler run when someone looks (telemetry, the
 * `multitask:handler:*` diagnostics channels). Cells hold no reference of their own: they
 * read their node's one nullable field, so with nobody looking a message costs a load and a
 * branch. The observer lives above the cell's layer (`observe/`); this interface is all the
 * cell knows of it.
 * @internal
 */
export interface CellObserver {
  /**
   * Runs `handler(ctx, payload)` for `cell`'s message `type` and returns what it returned
   * (or throws what it threw). `trace` is the W3C `traceparent` the message carried, if any.
   * A returned promise is the handler's own: the observer watches it, it does not replace it.
   */
  handle(cell: ObservedCell, type: string, trace: string | undefined, handler: (ctx: never, payload: never) => unknown, ctx: unknown, payload: unknown): unknown;
}
