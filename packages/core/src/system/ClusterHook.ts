/**
 * The seam between a system and the cluster it joins: the system knows only this, so the
 * cluster layer (above it) can be left out of a single machine entirely.
 * @internal
 * @packageDocumentation
 */
import type { Clock } from '../clock.js';
import type { Endpoint } from '../transport/Endpoint.js';
import type { DurableConfig } from '../transport/durableStreams.js';
import type { DurableOpened } from '../channel/DurableChannel.js';
import type { CodecHost } from '../wire/messageCodec.js';
import type { PeerInfo } from './PeerSystems.js';
import type { SharedNames } from './NameRegistry.js';

/** What a system gives the cluster adapter it starts. @internal */
export interface ClusterHost {
  /** What this system tells the others about itself. */
  readonly info: PeerInfo;
  readonly clock: Clock;
  /** Joins another system over `endpoint`; returns the leave (see `ActorSystem.attachPeer`). */
  attach(info: PeerInfo, endpoint: Endpoint): () => void;
  /** Refuses (throws `NOT_SERIALIZABLE`) payloads for other systems that `check` refuses, at the call. */
  checkPayloads(check: (payload: unknown) => void): void;
  /** Reports the connection to the cluster dropping (`false`) or coming back (`true`). */
  connection(up: boolean): void;
  /** Reports bytes that were dropped (`bad-frame`). */
  badFrame(node: string | undefined, reason: string): void;
  /** From now on the system's names are the cluster's: taken there too, and found there. */
  useNames(names: SharedNames): void;
}

/** What the cluster adapter gives back. @internal */
export interface ClusterHook {
  /** Resolves once this node has announced itself and heard the others; rejects (coded) when it could not join. */
  readonly joined: Promise<void>;
  /** Says goodbye to the others and closes the connection. */
  leave(): Promise<void>;
  /** Opens a durable channel's stream over the cluster's connection; its items are coded with `host` (refs, channels). */
  durable?(config: DurableConfig, host: CodecHost): Promise<DurableOpened>;
}
