/** How many handler names an `UNKNOWN_MESSAGE` lists. */
const LISTED = 20;

/** The handler names an actor has, for an `UNKNOWN_MESSAGE`: what the sender may have meant. @internal */
export function handlerList(handlers: ReadonlyMap<string, unknown>): string {
  if (handlers.size === 0) return 'it has no handlers';
  const names = [...handlers.keys()].slice(0, LISTED).map((name) => `'${name}'`);
  const more = handlers.size > LISTED ? ` and ${handlers.size - LISTED} more` : '';
  return `its handlers are ${names.join(', ')}${more}`;
}
