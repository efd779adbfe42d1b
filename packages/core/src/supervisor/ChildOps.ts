import type { Clock } from '../clock.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { DownReason } from '../actor/DownReason.js';
import type { ActorChildSpec } from './spec.js';
import type { Supervisor } from './Supervisor.js';

/**
 * What a supervisor needs from its system: start, halt, restart and stop one actor child,
 * keeping its id (so refs to it keep working), and report.
 * @internal
 */
export interface ChildOps {
  readonly clock: Clock;
  readonly random: () => number;
  /** Starts a child afresh (a new host for thread and process children); `id` keeps the id of an earlier start. */
  spawn(spec: ActorChildSpec, id: ActorRef | undefined, generation: number, owner: Supervisor): Promise<ActorRef>;
  /** Stops a running child's handling where it runs (running handler, then `onStop`); false when that is not possible. */
  halt(ref: ActorRef, timeout: number): Promise<boolean>;
  /** Restarts a halted child where it runs; false when it is not there any more (then `spawn`). */
  resume(ref: ActorRef, generation: number): Promise<boolean>;
  /** Ends a child and its host; its messages are held until `spawn` or `abandon`. */
  stop(ref: ActorRef, timeout: number): Promise<void>;
  /** The child is not coming back: what was held for it fails, and so will later messages. */
  abandon(ref: ActorRef, reason: DownReason): void;
  restarted(ref: ActorRef, restarts: number): void;
  escalated(supervisor: Supervisor, reason: DownReason): void;
  /** A child went down because its supervisor stopped or halted it (monitors hear of it). */
  halted(ref: ActorRef): void;
  /** The default time a child may take to stop. */
  readonly shutdownTimeout: number;
}
