import { FrameWriter, type Envelope, type Frame } from '../protocol.js';
import type { Endpoint, Transferable } from './Endpoint.js';

/** Most envelopes in one posted batch; a fuller batch is posted at once. */
const BATCH_LIMIT = 1024;

function frameOf(envelopes: readonly Envelope[]): Frame {
  const writer = new FrameWriter();
  for (const envelope of envelopes) writer.write(envelope);
  return writer.frame;
}

/**
 * Coalesces every envelope posted to one peer in the same tick into a single batch: one
 * `postMessage` (or IPC write) instead of one per message. The batch goes out at the end
 * of the current microtask checkpoint, so a lone message waits for nothing.
 * @internal
 */
export class Outbox {
  #batch: Envelope[] = [];
  #transfer: Transferable[] = [];
  #scheduled = false;
  /** Flushes since the event loop last turned; see {@link Outbox.push}. */
  #flushesThisTurn = 0;
  #watchingTurn = false;
  readonly #endpoint: Endpoint;
  readonly #onUnsendable: (envelope: Envelope, error: unknown) => void;

  /**
   * @param endpoint - where batches go
   * @param onUnsendable - called for each envelope the endpoint refused to copy
   */
  constructor(endpoint: Endpoint, onUnsendable: (envelope: Envelope, error: unknown) => void) {
    this.#endpoint = endpoint;
    this.#onUnsendable = onUnsendable;
  }

  push(envelope: Envelope, transfer?: readonly Transferable[]): void {
    this.#batch.push(envelope);
    if (transfer !== undefined && transfer.length > 0) this.#transfer.push(...transfer);
    if (this.#batch.length >= BATCH_LIMIT) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      // The first flush of a turn goes at the end of the microtask checkpoint: a lone ask
      // waits for nothing. A sender that keeps producing within the same turn (an
      // `await send()` loop resolves without leaving the microtask queue) would otherwise
      // post one frame per message; its later flushes wait for the turn to end instead.
      if (this.#flushesThisTurn >= 2) setImmediate(this.flush);
      else queueMicrotask(this.flush);
    }
  }

  readonly flush = (): void => {
    this.#scheduled = false;
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#flushesThisTurn += 1;
    if (!this.#watchingTurn) {
      this.#watchingTurn = true;
      setImmediate(() => {
        this.#flushesThisTurn = 0;
        this.#watchingTurn = false;
      });
    }
    const transfer = this.#transfer;
    this.#batch = [];
    this.#transfer = [];
    try {
      this.#endpoint.post(frameOf(batch), transfer);
    } catch {
      // Something in the batch cannot be copied (call sites check payloads first, so this
      // is rare): post one by one so that only the culprits fail, in order.
      for (const envelope of batch) {
        try {
          this.#endpoint.post(frameOf([envelope]), transfer);
        } catch (error) {
          this.#onUnsendable(envelope, error);
        }
      }
    }
  };
}
