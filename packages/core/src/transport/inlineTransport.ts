import type { Frame } from '../wire/frames.js';
import type { Endpoint } from './Endpoint.js';

/**
 * Two connected endpoints in one thread: a frame posted on one arrives at the other on a
 * later microtask, by reference (nothing is copied). The inline counterpart of a port pair,
 * for nodes that share a thread and for testing runtimes without threads.
 * @internal
 */
export function openInlinePair(): { readonly a: Endpoint; readonly b: Endpoint } {
  const receivers: Array<((frame: Frame) => void) | undefined> = [undefined, undefined];
  let closed = false;
  const side = (self: 0 | 1): Endpoint => ({
    post(frame) {
      if (closed) return;
      queueMicrotask(() => {
        if (!closed) receivers[1 - self]?.(frame);
      });
    },
    onReceive(receiver) {
      receivers[self] = receiver;
    },
    close() {
      closed = true;
    },
  });
  return { a: side(0), b: side(1) };
}
