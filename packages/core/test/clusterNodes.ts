import { fork, type ChildProcess } from 'node:child_process';
import { createSystem, type ActorSystem, type ClusterOptions, type SystemOptions } from '../src/index.js';
import { compiled } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

const FIXTURE = compiled(new URL('./fixtures/clusterNode.ts', import.meta.url));

/** An event a node process reported. */
export interface NodeEvent {
  readonly event: 'node:up' | 'node:down' | 'bad-frame' | 'dead-letter' | 'actor:stopped';
  readonly node?: string;
  readonly code?: string;
  readonly reason?: string;
  readonly type?: string;
  /** The actor, for `actor:stopped`. */
  readonly id?: string;
}

/** What a node answers a request with: its result, or the code it failed with. */
export interface NodeAnswer {
  readonly id?: string;
  readonly value?: unknown;
  readonly code?: string;
  readonly message?: string;
}

/** A cluster node in a process of its own (`fixtures/clusterNode.ts`). */
export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  /** Its system's id. */
  readonly system: string;
  readonly events: NodeEvent[];
  /** Asks the node to spawn, look up, ask or stop an actor (see `fixtures/clusterNode.ts`); bounded by `ms`. */
  request(command: { readonly cmd: 'spawn' | 'lookup' | 'ask' | 'stop' } & Record<string, unknown>, ms?: number): Promise<NodeAnswer>;
  /** Sends the process `signal` (SIGSTOP, SIGCONT) and goes on. */
  signal(signal: NodeJS.Signals): void;
  /** Its `system.nodes()`. */
  nodes(): Promise<string[]>;
  /** Opens the durable channel `name` there, sends `send` items (0, 1, ...) and takes `take` items (kept unacknowledged); resolves with those taken. */
  durable(command: { readonly name: string; readonly ackWait: number; readonly send?: number; readonly take?: number }): Promise<unknown[]>;
  /** Resolves with the first event (seen already or to come) that `accept` takes; rejects after `ms`. */
  event(accept: (event: NodeEvent) => boolean, ms?: number): Promise<NodeEvent>;
  /** Ends the process with `signal` and resolves once it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Cluster options for tests: the file's server, a cluster name of the test's own, quick beats. */
export function testCluster(server: NatsServer, name: string, extra: Partial<ClusterOptions> = {}): ClusterOptions {
  return { servers: server.url, name, heartbeat: 250, downAfter: 2_000, reconnectWait: 100, ...extra };
}

type Reply =
  | { kind: 'ready'; nodes: string[]; pid: number; system: string }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'nodes'; nodes: string[] }
  | { kind: 'durable'; items?: unknown[]; error?: string }
  | ({ kind: 'event' } & NodeEvent)
  | ({ kind: 'answer'; seq: number } & NodeAnswer);

/** Forks a node named `name` and resolves once it joined (rejects with its coded error if it could not). */
export async function startNode(name: string, cluster: ClusterOptions, started: NodeProcess[], extra: { readonly bare?: boolean } = {}): Promise<NodeProcess> {
  const child: ChildProcess = fork(FIXTURE, [JSON.stringify({ node: name, cluster, ...extra })], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const events: NodeEvent[] = [];
  const waiters: Array<(reply: Reply) => void> = [];
  child.on('message', (reply: Reply) => {
    if (reply.kind === 'event') events.push(reply);
    for (const waiter of [...waiters]) waiter(reply);
  });
  const next = <K extends Reply['kind']>(kinds: readonly K[], ms: number): Promise<Extract<Reply, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => (done(), reject(new Error(`node ${name}: no ${kinds.join('/')} within ${ms} ms`))), ms);
      const exit = (): void => (done(), reject(new Error(`node ${name} exited`)));
      const waiter = (reply: Reply): void => {
        if (!(kinds as readonly string[]).includes(reply.kind)) return;
        done();
        resolve(reply as Extract<Reply, { kind: K }>);
      };
      const done = (): void => {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(waiter), 1);
        child.off('exit', exit);
      };
      waiters.push(waiter);
      child.once('exit', exit);
    });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let seq = 0;
  let system = '';
  const node: NodeProcess = {
    name,
    pid: child.pid ?? 0,
    get system() {
      return system;
    },
    events,
    request(command, ms = 15_000) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (done(), reject(new Error(`node ${name}: no answer to ${command.cmd} within ${ms} ms`))), ms);
        const waiter = (reply: Reply): void => {
          if (reply.kind !== 'answer' || reply.seq !== id) return;
          done();
          resolve(reply);
        };
        const done = (): void => {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(waiter), 1);
        };
        waiters.push(waiter);
        child.send({ ...command, seq: id });
      });
    },
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async nodes() {
      const answer = next(['nodes'], 10_000);
      child.send({ cmd: 'nodes' });
      return (await answer).nodes;
    },
    async durable(command) {
      const answer = next(['durable'], 20_000);
      child.send({ cmd: 'durable', ...command });
      const reply = await answer;
      if (reply.error !== undefined) throw Object.assign(new Error(`node ${name}: durable channel: ${reply.error}`), { code: reply.error });
      return reply.items ?? [];
    },
    event(accept, ms = 15_000) {
      const seen = events.find(accept);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (waiters.splice(waiters.indexOf(waiter), 1), reject(new Error(`node ${name}: no such event within ${ms} ms`))), ms);
        const waiter = (reply: Reply): void => {
          if (reply.kind !== 'event' || !accept(reply)) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(reply);
        };
        waiters.push(waiter);
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT'); // a paused node would not die of SIGTERM
        child.kill(signal);
      }
      await gone;
    },
  };
  started.push(node);
  const first = await next(['ready', 'failed'], 20_000);
  if (first.kind === 'failed') throw Object.assign(new Error(first.message), { code: first.code });
  system = first.system;
  return node;
}

/** Kills every node a test started (SIGKILL: nothing of theirs outlives the test). */
export async function killAll(started: NodeProcess[]): Promise<void> {
  await Promise.all(started.splice(0).map((node) => node.kill('SIGKILL')));
}

/** A describe block's cluster: a nats-server, the test's system as node 'a', and nodes 'b' and 'c' in processes of their own. */
export interface ThreeNodes {
  readonly a: ActorSystem;
  readonly b: NodeProcess;
  readonly c: NodeProcess;
  /** Starts another node process in the cluster (ended with the others). */
  more(name: string, extra?: { readonly bare?: boolean }): Promise<NodeProcess>;
  /** Ends the system, every node process and the server. */
  close(): Promise<void>;
}

/** Starts {@link ThreeNodes} for cluster `name`; node 'a' serves `serve`. */
export async function startThreeNodes(name: string, serve: NonNullable<SystemOptions['serve']>): Promise<ThreeNodes> {
  const server = await startNatsServer();
  const cluster = (): ClusterOptions => testCluster(server, name);
  const nodes: NodeProcess[] = [];
  const a = createSystem({ node: 'a', serve, cluster: cluster(), shutdownTimeout: 2_000 });
  const close = async (): Promise<void> => {
    await a.shutdown();
    await killAll(nodes);
    await server.dispose();
  };
  try {
    await a.ready();
    const [b, c] = await Promise.all([startNode('b', cluster(), nodes), startNode('c', cluster(), nodes)]);
    return { a, b, c, more: (node, extra = {}) => startNode(node, cluster(), nodes, extra), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls `check` every 50 ms until it holds (bounded: `ms`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 15_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `promise`, or a rejection naming `what` after `ms` (so that a stuck step says which). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
