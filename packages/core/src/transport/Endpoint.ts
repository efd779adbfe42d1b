import type { Frame, FrameWriter } from '../wire/frames.js';

/**
 * One end of a connection to another node. Adapters: a `MessagePort` (threads), a child
 * process's frame pipe (processes), a byte link to another system (`memoryNetwork`; NATS).
 * The inline placement needs no endpoint.
 * @internal
 */
export interface Endpoint {
  /**
   * The far end reads this build's frames: a thread or process of this system, or a node of
   * its cluster (nodes of one cluster run one codec version; each frame says which). Runs of
   * like tells may travel as columns ({@link FrameWriter}). The in-memory test network keeps
   * every envelope apart.
   */
  readonly packsRuns?: boolean;
  /** Posts one frame. Throws (synchronously) when the frame cannot be copied. */
  post(frame: Frame, transfer?: readonly Transferable[]): void;
  /** Registers the single receiver of incoming framees. */
  onReceive(receiver: (frame: Frame) => void): void;
  /** Stops receiving and releases the underlying handle. */
  close(): void;
  /**
   * Registers a listener for the link's end when the other side can vanish without a word
   * (a network link); ports and process pipes report their ends through their host.
   */
  onClose?(listener: (error: Error) => void): void;
  /** Hands over, now, the frames that arrived and were not read yet (a port can; a network cannot). */
  drain?(): void;
}

/** A value that can be moved (not copied) to another thread. @internal */
export type Transferable = ArrayBuffer | object;

/**
 * How a host (thread or process) ended.
 * @internal
 */
export type HostExit =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: string }
  | { readonly kind: 'error'; readonly error: Error }
  | { readonly kind: 'out-of-memory'; readonly error: Error };

/**
 * A started thread or process, seen from its parent.
 * @internal
 */
export interface Host {
  readonly endpoint: Endpoint;
  /** `threadId` for threads, `pid` for processes. */
  readonly label: string;
  /** Called once, when the host is gone for any reason. */
  onExit(listener: (exit: HostExit) => void): void;
  /**
   * Ends the host. Resolves once it is gone. A thread is terminated at once; a process is
   * let go (its channel closed, so that it exits once what it sent has left) and killed if
   * it has not exited within a grace, or at once when `now` (it may be stuck: a handler
   * past its timeout cannot notice its channel closing).
   */
  kill(now?: boolean): Promise<void>;
}

/** What every host needs to start. @internal */
export interface HostStart {
  /** URL of the module the host imports once its loaders are in place. */
  readonly main: string;
  /** Data handed to that module's `startHost(data)`. */
  readonly data: unknown;
  /** Node flags for the host; default: the parent's `process.execArgv` (inherited as they are by a thread). */
  readonly execArgv?: readonly string[];
}
