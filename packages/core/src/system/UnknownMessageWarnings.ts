/** How many (definition, message type) pairs a system remembers having warned of. */
const REMEMBERED = 1024;

/**
 * The warnings of a system's root for tells and sends of a message type an actor has no
 * handler for, when nobody listens for `dead-letter`: such a message is otherwise dropped
 * without a word. One warning per definition and message type, whatever the placement
 * (hosts report their dead letters to the root, which decides, since it has the listeners).
 * @internal
 */
export class UnknownMessageWarnings {
  readonly #warned = new Set<string>();

  /**
   * Warns of a dropped message, unless this definition and type were warned of already.
   * @param definition - the definition key of the recipient (`'counter/Counter'`)
   * @param type - the message type it has no handler for
   * @param error - the `UNKNOWN_MESSAGE` error, whose message names the handlers it has
   */
  warn(definition: string, type: string, error: Error): void {
    const key = `${definition}\u0000${type}`;
    if (this.#warned.has(key) || this.#warned.size >= REMEMBERED) return;
    this.#warned.add(key);
    process.emitWarning(`a tell or send was dropped: ${error.message}`, {
      code: 'MULTITASK_UNKNOWN_MESSAGE',
      detail: "Nobody listens for 'dead-letter' on this actor system: listen for it to see every message that is not delivered. This warning shows once per actor definition and message type.",
    });
  }
}
