import { MultitaskError } from '../errors.js';

/**
 * `trySend` on a channel that holds `capacity` items. Code `CHANNEL_FULL`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelFullError}
 */
export class ChannelFullError extends MultitaskError {
  /** @param capacity - the channel's capacity */
  constructor(capacity: number) {
    super('CHANNEL_FULL', `the channel is full (capacity ${capacity})`);
    Object.defineProperty(this, 'name', { value: 'ChannelFullError', configurable: true, writable: true });
  }
}

/**
 * `tryReceive` on an empty channel. Code `CHANNEL_EMPTY`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelEmptyError}
 */
export class ChannelEmptyError extends MultitaskError {
  constructor() {
    super('CHANNEL_EMPTY', 'the channel is empty');
    Object.defineProperty(this, 'name', { value: 'ChannelEmptyError', configurable: true, writable: true });
  }
}

/**
 * Sending on a closed channel, or receiving from a closed and drained one. Code `CHANNEL_CLOSED`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelClosedError}
 */
export class ChannelClosedError extends MultitaskError {
  /** @param what - what was attempted */
  constructor(what: string) {
    super('CHANNEL_CLOSED', `the channel is closed: ${what}`);
    Object.defineProperty(this, 'name', { value: 'ChannelClosedError', configurable: true, writable: true });
  }
}
