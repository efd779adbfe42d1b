import { createSystem, type ActorSystem, type SystemOptions } from '../src/index.js';
import { openMemoryNetwork, type MemoryNetwork } from '../src/transport/memoryNetwork.js';
import { structuredCloneCodec } from '../src/wire/FrameCodec.js';

/** Systems in this process, each joined to every other the way machines of a cluster are (bytes over an in-memory wire). */
export interface Mesh {
  /** The system named `node`. */
  get(node: string): ActorSystem;
  /** Cuts every wire of `node` at once (it vanishes, as a killed machine does), then shuts it down. */
  kill(node: string): Promise<void>;
  /** Shuts every system down. */
  shutdown(): Promise<void>;
}

/** Joins one system per entry to every other: `serve` is what each runs for the others. */
export function meshOf(nodes: ReadonlyArray<{ readonly node: string; readonly serve?: SystemOptions['serve'] }>): Mesh {
  const systems = new Map(nodes.map(({ node, serve }) => [node, createSystem({ node, serve: serve ?? [], shutdownTimeout: 2_000 })] as const));
  const wires: Array<{ readonly ends: readonly [string, string]; readonly net: MemoryNetwork }> = [];
  const all = [...systems];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [[x, a], [y, b]] = [all[i]!, all[j]!];
      const net = openMemoryNetwork(structuredCloneCodec);
      a.attachPeer(b.peerInfo, net.a);
      b.attachPeer(a.peerInfo, net.b);
      wires.push({ ends: [x, y], net });
    }
  }
  const get = (node: string): ActorSystem => {
    const system = systems.get(node);
    if (system === undefined) throw new Error(`no node ${node}`);
    return system;
  };
  return {
    get,
    async kill(node) {
      for (const { ends, net } of wires) if (ends.includes(node)) net.cut();
      await get(node).shutdown();
    },
    async shutdown() {
      await Promise.all([...systems.values()].map((system) => system.shutdown()));
    },
  };
}
