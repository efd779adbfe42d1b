import { MultitaskError } from '../errors.js';
import { ActorSystem, createSystem as createLocalSystem } from '../system/ActorSystem.js';
import type { ClusterHook, ClusterHost } from '../system/ClusterHook.js';
import type { SystemOptions } from '../system/systemTypes.js';
import type { MsgpackCodec } from '../wire/msgpackCodec.js';
import type { NatsLink } from '../transport/natsLink.js';
import type { DurableConfig } from '../transport/durableStreams.js';
import type { JetStreamDurable } from '../transport/JetStreamDurable.js';
import type { DurableOpened, WireItem } from '../channel/DurableChannel.js';
import { BadValue } from '../wire/BadValue.js';
import { decode, encode, type CodecHost } from '../wire/messageCodec.js';
import { resolveCluster, type ClusterOptions, type ResolvedCluster } from './clusterOptions.js';
import { Membership } from './Membership.js';
import { ClusterNames } from './ClusterNames.js';
import { claimNodeName } from './claimNodeName.js';
import type { SystemId } from '../wire/ids.js';

/**
 * Options of {@link createSystem}: a system's own, and the cluster it joins.
 *
 * @example
 * ```ts
 * const options: ClusteredSystemOptions = {
 *   node: 'b',
 *   serve: [Counter],
 *   cluster: { servers: 'nats://127.0.0.1:4222', name: 'shop', heartbeat: 500 },
 * };
 * ```
 */
export interface ClusteredSystemOptions extends SystemOptions {
  /**
   * The cluster to join over NATS. Without it the system is a single machine and loads no
   * NATS code. With it, `await system.ready()` before placing actors on other nodes.
   */
  readonly cluster?: ClusterOptions;
}

/**
 * Creates an actor system; with `cluster`, it joins the nodes that share the NATS servers
 * and the cluster's name (see the Clusters guide).
 *
 * @param options - the system's options (default ask timeout, shutdown and spawn
 *   timeouts, `execArgv` for hosts, clock, `node`, `serve`) and `cluster`
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad option
 *
 * @example
 * ```ts
 * import { createSystem } from '@multitask/core';
 * const system = createSystem({ askTimeout: 5_000 });
 * // ... spawn actors ...
 * await system.shutdown();
 * ```
 */
export function createSystem(options?: ClusteredSystemOptions): ActorSystem {
  if (options?.cluster === undefined) return createLocalSystem(options);
  const cluster = resolveCluster(options.cluster);
  const { cluster: _, ...own } = options;
  const system = createLocalSystem(own);
  system.useCluster((host) => joinCluster(host, cluster));
  return system;
}

/** The codec, whose check the system applies to payloads for other nodes at the call. */
function codecFor(host: ClusterHost, codec: MsgpackCodec): MsgpackCodec {
  host.checkPayloads((payload) => codec.check(payload));
  return codec;
}

/** What a node runs once it is linked: who is in the cluster, and the cluster's names. */
interface Joined {
  membership: Membership | undefined;
  names: ClusterNames | undefined;
}

/** Opens the NATS link (loading the client and the codec only now); its events go to what `joined` holds. */
async function openLink(host: ClusterHost, options: ResolvedCluster, joined: Joined): Promise<NatsLink> {
  const [{ NatsLink }, { createMsgpackCodec }] = await Promise.all([import('../transport/natsLink.js'), import('../wire/msgpackCodec.js')]);
  const link = {
    servers: options.servers,
    clientName: `multitask ${options.name}/${host.info.node}`,
    auth: options.auth,
    reconnectWait: options.reconnectWait,
    root: `${options.prefix}.${options.name}`,
    self: host.info.system,
    codec: codecFor(host, createMsgpackCodec(options.limits)),
  };
  return NatsLink.open(link, {
    connection: (up) => {
      host.connection(up);
      if (!up) return joined.membership?.disconnected();
      joined.membership?.reconnected();
      void joined.names?.reconnected();
    },
    control: (kind, data, reply) => joined.membership?.control(kind, data, reply),
    badFrame: (from, reason) => host.badFrame(from === undefined ? undefined : (joined.membership?.nameOf(from) ?? `system ${from}`), reason),
    awake: () => joined.membership?.awake(),
    stranger: (system) => joined.membership?.stranger(system),
  });
}

/** Who is in the cluster, with the cluster's names told of who goes and comes back. */
async function startMembership(host: ClusterHost, link: NatsLink, options: ResolvedCluster, joined: Joined): Promise<Membership> {
  const membership = new Membership(host, link, options, {
    down: (system, inc) => joined.names?.released(system, inc),
    rejoined: () => joined.names?.rejoined(),
    beat: () => joined.names?.sweep(),
  });
  joined.membership = membership;
  const owner = {
    system: host.info.system,
    node: host.info.node,
    incarnation: () => membership.incarnation,
    isMember: (system: SystemId, inc: number) => membership.isMember(system, inc),
    wasDeclaredDown: (system: SystemId, inc: number) => membership.wasDeclaredDown(system, inc),
    connected: () => link.connected,
  };
  joined.names = await ClusterNames.open(link, `${options.prefix}_${options.name}_names`, owner, host.clock, 2 * options.downAfter);
  host.useNames(joined.names);
  return membership;
}

/**
 * Takes this node's name in the cluster's bucket, before it announces itself; false when
 * there is no bucket (a server without JetStream: then the hellos decide, as `Membership.join` says).
 */
async function claimName(host: ClusterHost, options: ResolvedCluster, joined: Joined, leaving: () => boolean): Promise<boolean> {
  const { membership, names } = joined;
  if (membership === undefined || names === undefined || !names.usable) return false;
  await claimNodeName({
    node: host.info.node,
    cluster: options.name,
    clock: host.clock,
    heartbeat: options.heartbeat,
    downAfter: options.downAfter,
    names,
    heardWithName: () => membership.heardWithName,
    probe: (system) => membership.probe(system),
    leaving,
  });
  return true;
}

/** Connects, takes this node's name, announces this node and hears the others; the hook the system keeps. */
function joinCluster(host: ClusterHost, options: ResolvedCluster): ClusterHook {
  const parts: Joined = { membership: undefined, names: undefined };
  let leaving = false;
  const linking = openLink(host, options, parts);
  const joined = (async () => {
    let link: NatsLink;
    try {
      link = await linking;
    } catch (error) {
      throw new MultitaskError('NODE_DOWN', `could not join cluster '${options.name}': no NATS server at ${options.servers.join(', ')} could be reached (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (leaving) return;
    const membership = await startMembership(host, link, options, parts);
    try {
      await membership.join(await claimName(host, options, parts, () => leaving));
    } catch (error) {
      membership.leave();
      await parts.names?.releaseNode(host.info.node); // nothing is held unless the claim got it
      parts.names?.close();
      await link.close();
      throw error;
    }
  })();
  return {
    joined,
    durable: durableOpener(linking, joined, options),
    async leave() {
      leaving = true;
      const link = await linking.catch(() => undefined);
      await joined.catch(() => undefined);
      await parts.names?.settle();
      parts.membership?.leave();
      await parts.names?.releaseNode(host.info.node); // the others delete it on the goodbye too; this one frees it when nobody is left
      parts.names?.close();
      await link?.close();
    },
  };
}

/**
 * Opens durable channels for the system: one store per channel name, shared by every handle
 * of the system (so a close made here reaches them all); a handle that asks for other
 * settings than the channel was opened with here is refused, as the server would refuse it.
 */
function durableOpener(linking: Promise<NatsLink>, joined: Promise<void>, options: ResolvedCluster): NonNullable<ClusterHook['durable']> {
  const opened = new Map<string, Promise<OpenedHere>>();
  return async (config, host) => {
    const entry = opened.get(config.name);
    const known = entry === undefined ? undefined : await entry.catch(() => undefined);
    if (known === undefined || known.store.broken) {
      const opening = openDurable(linking, joined, options, config, host);
      opened.set(config.name, opening);
      opening.catch(() => {
        if (opened.get(config.name) === opening) opened.delete(config.name); // a later open tries again
      });
      return opening;
    }
    const { mismatchOf } = await import('../transport/durableSetup.js');
    const differs = mismatchOf(known.store.config, config);
    if (differs !== undefined) throw differs;
    return known;
  };
}

/** A durable channel opened on this system, with its store. */
type OpenedHere = DurableOpened & { readonly store: JetStreamDurable };

/**
 * Opens a durable channel's stream over the link, once the node has joined; its items are
 * MessagePack with the cluster's limits, refs and channels in them encoded by `host`.
 */
async function openDurable(linking: Promise<NatsLink>, joined: Promise<void>, options: ResolvedCluster, config: DurableConfig, host: CodecHost): Promise<OpenedHere> {
  await joined;
  const link = await linking;
  const [{ openDurableStore }, { createMsgpackCodec }] = await Promise.all([import('../transport/durableStreams.js'), import('../wire/msgpackCodec.js')]);
  const codec = createMsgpackCodec(options.limits);
  const store = await openDurableStore(link, `${options.prefix}.${options.name}`, config);
  const frames = {
    pack: (item: WireItem): Uint8Array => codec.encode([item.value, item.enc]),
    unpack(bytes: Uint8Array): WireItem {
      const [value, enc] = codec.decode(bytes);
      if (value instanceof BadValue) throw new MultitaskError('BAD_FRAME', `an item of durable channel '${config.name}' could not be read: ${value.reason}`);
      return { value, enc: enc === 1 ? 1 : 0 };
    },
  };
  return {
    store,
    frames,
    items: {
      encode: (item) => frames.pack(encode(item, host)),
      decode(bytes) {
        const item = frames.unpack(bytes);
        return decode(item.value, item.enc, host);
      },
    },
  };
}
