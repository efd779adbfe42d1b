import type { MultitaskError } from '../errors.js';

/** A cell's rarely needed parts, in one object made when first needed. @internal */
export interface Rare {
  /** The supervisor's count of this actor's starts. */
  generation: number;
  readonly label: string | undefined;
  /** The name it was spawned under (a named actor has rare parts from the start). */
  readonly name: string | undefined;
  /** The spawn arguments, which a restart runs `init` with again (supervised actors). */
  args: unknown;
  /** Resolves a stop waiting for the running handler. */
  idle: (() => void) | undefined;
  /**
   * Aborted when this incarnation stops or halts (`ctx.signal`), made when first asked for;
   * a restart starts a new one.
   */
  lifetime: AbortController | undefined;
  /** Why this incarnation ended, once it did (`true`: the error is made when a signal needs it). */
  ended: MultitaskError | true | undefined;
  stopped: Promise<void> | undefined;
  /** Why an unsupervised actor stops when one of its supervisors gave up. */
  escalation: Error | undefined;
  /** A crashed incarnation's children stopping: a restart waits for them. */
  ending: Promise<void> | undefined;
}

/** A cell's rare parts, before anything needed them. @internal */
export function rare(generation: number, label: string | undefined, name: string | undefined): Rare {
  return { generation, label, name, args: undefined, idle: undefined, lifetime: undefined, ended: undefined, stopped: undefined, escalation: undefined, ending: undefined };
}
