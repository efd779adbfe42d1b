import { FrameWriter, readFrame, type Frame } from '../wire/frames.js';
import type { ActorId, NodeId } from '../wire/ids.js';
import type { Encoded, Envelope } from '../wire/protocol.js';
import { Coalescer } from './Coalescer.js';
import type { Endpoint, Transferable } from './Endpoint.js';

/** Most envelopes in one posted batch; a fuller batch is posted at once. */
const BATCH_LIMIT = 1024;

function frameOf(envelopes: readonly Envelope[]): Frame {
  const writer = new FrameWriter();
  for (const envelope of envelopes) writer.write(envelope);
  return writer.finish();
}

const NONE: readonly Transferable[] = [];

/**
 * Coalesces every envelope posted to one peer in the same burst into a single batch: one
 * `postMessage` (or pipe write) instead of one per message ({@link Coalescer} says when).
 * @internal
 */
export class Outbox {
  /** The frame being written: envelopes go into it as they come, not into a list first. */
  #writer: FrameWriter;
  #count = 0;
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
    this.#writer = new FrameWriter(endpoint.packsRuns === true);
  }

  /** @param late - it may wait for the end of the turn, unless something else goes sooner ({@link Coalescer.schedule}) */
  push(envelope: Envelope, transfer?: readonly Transferable[], late = false): void {
    if (transfer !== undefined && transfer.length > 0) {
      this.#transfer.push(...transfer);
      (this.#transferOf ??= new Map()).set(this.#count, transfer);
    }
    this.#writer.write(envelope);
    this.#added(late);
  }

  /** A tell, from its fields (the hot path: no envelope object for it). */
  pushTell(dst: NodeId, to: ActorId, type: string, payload: unknown, enc: Encoded, from: NodeId): void {
    this.#writer.writeTell(dst, to, type, payload, enc, from);
    this.#added();
  }

  #added(late = false): void {
    if (++this.#count >= BATCH_LIMIT) this.flush();
    else this.#coalescer.schedule(late);
  }

  readonly flush = (): void => {
    if (this.#count === 0) return;
    this.#coalescer.sent();
    const frame = this.#writer.finish();
    const transfer = this.#transfer;
    const transferOf = this.#transferOf;
    this.#writer = new FrameWriter(this.#endpoint.packsRuns === true);
    this.#count = 0;
    this.#transfer = [];
    this.#transferOf = undefined;
    try {
      this.#endpoint.post(frame, transfer);
    } catch {
      // Something in the batch cannot be copied (call sites check payloads first, so this
      // is rare): post one by one, each with its own transfer list, so that only the
      // culprits fail, in order. The frame is read back into its envelopes for it.
      let i = 0;
      readFrame(frame, (envelope) => {
        try {
          this.#endpoint.post(frameOf([envelope]), transferOf?.get(i) ?? NONE);
        } catch (error) {
          this.#onUnsendable(envelope, error);
        }
        i++;
      });
    }
  };
}
