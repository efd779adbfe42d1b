/**
 * A cluster on this machine for the examples: a nats-server, node processes
 * (`clusterNode.ts`, each serving the examples' actors and task sets) and this process as
 * the `control` node. Real deployments run one node per machine against their own server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSystem, type ActorSystem } from '@multitask/core';
import { startNatsServer } from './natsServer.js';

/** A running local cluster, and how to stop all of it. */
export interface LocalCluster {
  /** This process's node, `control`. */
  readonly system: ActorSystem;
  /** The node processes, by name. */
  readonly nodes: ReadonlyMap<string, ChildProcess>;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a server and one node process per name, and joins them as `control`. */
export async function startLocalCluster(names: readonly string[], cluster = 'demo'): Promise<LocalCluster> {
  const server = await startNatsServer();
  const nodes = new Map<string, ChildProcess>();
  const file = fileURLToPath(new URL(`./clusterNode.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
  const started = names.map(
    (name) =>
      new Promise<void>((resolve, reject) => {
        const child = fork(file, [name, server.url, cluster], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        nodes.set(name, child);
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`node ${name} exited (${code})`)));
      }),
  );
  const system = createSystem({ node: 'control', cluster: { servers: server.url, name: cluster, heartbeat: 250, downAfter: 2_500 }, shutdownTimeout: 2_000 });
  const stop = async (): Promise<void> => {
    await system.shutdown();
    for (const child of nodes.values()) child.kill('SIGTERM');
    await Promise.all([...nodes.values()].map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));
    await server.stop();
  };
  try {
    await Promise.all([system.ready(), ...started]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { system, nodes, url: server.url, stop };
}
