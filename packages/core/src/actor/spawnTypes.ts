/**
 * Where actors run and how they are started: the options of `spawn`, wherever it is called.
 * @packageDocumentation
 */
import type { MailboxOptions } from '../wire/protocol.js';
import type { ArgsOf } from './types.js';

/**
 * Where an actor runs:
 * - `inline`: in the calling thread; cheapest messages, no isolation.
 * - `thread`: in its own worker thread; runs in parallel, shares the process.
 * - `process`: in its own child process; full isolation, costliest messages.
 * - `{ node, in }`: on another system (a node of a cluster, by its name), in its main thread
 *   (`in: 'inline'`, the default), a thread or a process of its own. That system runs only
 *   the definitions it serves (`createSystem({ serve })`), found by key, never by path.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Placement}
 */
export type Placement = LocalPlacement | RemotePlacement;

/**
 * A placement on this machine.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Placement}
 */
export type LocalPlacement = 'inline' | 'thread' | 'process';

/**
 * A placement on another system (a cluster's node).
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Placement}
 */
export interface RemotePlacement {
  /** The other system's node name (`createSystem({ node })`). */
  readonly node: string;
  /**
   * Where on that system.
   * @defaultValue `'inline'`
   */
  readonly in?: LocalPlacement;
}

/**
 * Memory limits of a thread placement (see Node's `Worker` `resourceLimits`).
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ThreadLimits}
 */
export interface ThreadLimits {
  /** Heap size for long-lived objects, in MB; past it the thread dies `out-of-memory`. */
  readonly maxOldGenerationSizeMb?: number;
  /** Heap size for new objects, in MB. */
  readonly maxYoungGenerationSizeMb?: number;
  /** Stack size, in MB. */
  readonly stackSizeMb?: number;
}

/**
 * Options of {@link ActorSystem.spawn} that do not depend on the definition.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SpawnOptionsBase}
 */
export interface SpawnOptionsBase {
  /**
   * Where the actor runs.
   * @defaultValue `'inline'`
   */
  readonly placement?: Placement;
  /**
   * Registers the actor under this name, for {@link ActorSystem.lookup}. Unique in the
   * system, and in a cluster, in the whole cluster (`NAME_TAKEN` otherwise; at most 256
   * bytes there).
   */
  readonly name?: string;
  /** Mailbox capacity and overflow policy. */
  readonly mailbox?: MailboxOptions;
  /** Memory limits, for the `thread` placement. */
  readonly resourceLimits?: ThreadLimits;
}

/**
 * Options of {@link ActorSystem.spawn}: `args` is required when the definition's `init` needs it.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SpawnOptions}
 */
export type SpawnOptions<A> = SpawnOptionsBase &
  (undefined extends A
    ? {
        /** The argument of the definition's `init`. */
        readonly args?: A;
      }
    : {
        /** The argument of the definition's `init` (required: `init` needs it). */
        readonly args: A;
      });

/**
 * The rest parameters of {@link ActorSystem.spawn} for a definition `D`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SpawnArgs}
 */
export type SpawnArgs<D> = undefined extends ArgsOf<D> ? [options?: SpawnOptions<ArgsOf<D>>] : [options: SpawnOptions<ArgsOf<D>>];
