/**
 * What a system may run for other systems, by key: actor definitions, and anything else
 * that says how it is served (a pool's task set serves as pool workers for its tasks).
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import { definitionKey, isActorDefinition, type AnyActorDefinition } from '../actor/defineActor.js';

/** The property by which a value that is not an actor definition says how it is served. @internal */
export const SERVED: unique symbol = Symbol.for('multitask.Served') as never;

/**
 * One thing a system serves: the key other systems ask for, the definition it starts for
 * them, and how the spawn arguments that came over the network become this system's own
 * (a pool worker gets this node's URL of its task module, never one from the network).
 * @internal
 */
export interface ServedEntry {
  readonly key: string;
  readonly definition: AnyActorDefinition;
  /** The local arguments for arguments sent by another system; throws to refuse them. */
  readonly args?: (remote: unknown) => unknown;
}

/** The entry of one value of `options.serve`, or `undefined` for a value that cannot be served. @internal */
export function servedEntryOf(value: unknown): ServedEntry | undefined {
  if (isActorDefinition(value)) return { key: definitionKey(value), definition: value };
  const served = typeof value === 'object' && value !== null ? (value as { [SERVED]?: unknown })[SERVED] : undefined;
  return typeof served === 'function' ? (served as () => ServedEntry).call(value) : undefined;
}

/**
 * The entries of `options.serve`, checked: each value served, each key once.
 * @throws {@link MultitaskError} `INVALID_ARGUMENT`
 * @internal
 */
export function servedEntries(serve: readonly unknown[] | undefined): ServedEntry[] {
  if (serve === undefined) return [];
  if (!Array.isArray(serve)) throw new MultitaskError('INVALID_ARGUMENT', 'options.serve must be an array of values returned by defineActor or defineTasks');
  const sources = new Map<string, unknown>();
  const entries: ServedEntry[] = [];
  for (const value of serve as unknown[]) {
    const entry = servedEntryOf(value);
    if (entry === undefined) throw new MultitaskError('INVALID_ARGUMENT', 'options.serve must be an array of values returned by defineActor or defineTasks');
    if (sources.has(entry.key)) {
      if (sources.get(entry.key) === value) continue; // the same value twice
      throw new MultitaskError('INVALID_ARGUMENT', `options.serve has two values with the key '${entry.key}' (module file name and name): rename one`);
    }
    sources.set(entry.key, value);
    entries.push(entry);
  }
  return entries;
}
