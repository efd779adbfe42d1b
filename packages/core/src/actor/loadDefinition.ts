import { MultitaskError } from '../errors.js';
import { errorMessage } from './errorMessage.js';
import { isActorDefinition, type AnyActorDefinition } from './defineActor.js';

/**
 * Imports an actor module by URL and finds the definition with the given name among its
 * exports.
 * @throws MultitaskError `SPAWN_FAILED` naming the module when it cannot be imported or
 * has no such definition
 * @internal
 */
export async function loadDefinition(url: string, name: string): Promise<AnyActorDefinition> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new MultitaskError('SPAWN_FAILED', `cannot import actor module ${url}: ${errorMessage(error)}`, { cause: error });
  }
  for (const value of Object.values(exports)) {
    if (isActorDefinition(value) && value.name === name) return value;
  }
  throw new MultitaskError('SPAWN_FAILED', `actor module ${url} exports no actor definition named '${name}'`);
}
