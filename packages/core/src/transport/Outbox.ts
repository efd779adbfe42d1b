import { FrameWriter, type Frame } from '../wire/frames.js';
import type { Envelope } from '../wire/protocol.js';
import { Coalescer } from './Coalescer.js';
import type { Endpoint, Transferable } from './Endpoint.js';

/** Most envelopes in one posted batch; a fuller batch is posted at once. */
const BATCH_LIMIT = 1024;

function frameOf(envelopes: readonly Envelope[]): Frame {
  const writer = new FrameWriter();
  for (const envelope of envelopes) writer.write(envelope);
  return writer.frame;
}

const NONE: readonly Transferable[] = [];

/**
 * Coalesces every envelope posted to one peer in the same burst into a single batch: one
 * `postMessage` (or IPC write) instead of one per message ({@link Coalescer} says when).
 * @internal
 */
export class Outbox {
  #batch: Envelope[] = [];
  #transfer: Transferable[] = [];
  /** The transfer list of each envelope that has one, by its index in the batch (for a post one by one). */
  #transferOf: Map<number, readonly Transferable[]> | undefined;
  readonly #coalescer = new Coalescer(() => this.flush());
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
    if (transfer !== undefined && transfer.length > 0) {
      this.#transfer.push(...transfer);
      (this.#transferOf ??= new Map()).set(this.#batch.length, transfer);
    }
    this.#batch.push(envelope);
    if (this.#batch.length >= BATCH_LIMIT) this.flush();
    else this.#coalescer.schedule();
  }

  readonly flush = (): void => {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#coalescer.sent();
    const transfer = this.#transfer;
    const transferOf = this.#transferOf;
    this.#batch = [];
    this.#transfer = [];
    this.#transferOf = undefined;
    try {
      this.#endpoint.post(frameOf(batch), transfer);
    } catch {
      // Something in the batch cannot be copied (call sites check payloads first, so this
      // is rare): post one by one, each with its own transfer list, so that only the
      // culprits fail, in order.
      for (let i = 0; i < batch.length; i++) {
        const envelope = batch[i] as Envelope;
        try {
          this.#endpoint.post(frameOf([envelope]), transferOf?.get(i) ?? NONE);
        } catch (error) {
          this.#onUnsendable(envelope, error);
        }
      }
    }
  };
}
