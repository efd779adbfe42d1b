import { describe, expect, it } from 'vitest';
import { createSystem, type ClusterOptions } from '../src/index.js';
import { codeOf, failureOf } from './helpers.js';
import { freePort } from './natsServer.js';

describe('cluster options', () => {
  it('refuses bad options at createSystem with INVALID_ARGUMENT, saying which', () => {
    const bad: Array<[Partial<ClusterOptions>, RegExp]> = [
      [{ name: 'shop' }, /cluster.servers/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'a.b' }, /cluster.name/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'shop', prefix: 'x y' }, /cluster.prefix/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'shop', heartbeat: -1 }, /cluster.heartbeat/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'shop', heartbeat: 1000, downAfter: 500 }, /downAfter must be longer/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'shop', auth: { token: 5 as never } }, /cluster.auth.token/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'shop', limits: { maxDepth: 0 } }, /maxDepth/],
      [{ servers: 'nats://127.0.0.1:4222', name: 'shop', limits: { maxBytes: 5 } as never }, /is not a limit/],
    ];
    for (const [cluster, message] of bad) {
      expect(() => createSystem({ cluster: cluster as ClusterOptions })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) }) as Error);
    }
  });

  it('rejects ready() with NODE_DOWN when no NATS server answers, and spawns elsewhere fail coded', async () => {
    const port = await freePort(); // nothing listens there
    const system = createSystem({ node: 'alone', cluster: { servers: `nats://127.0.0.1:${port}`, name: 'nobody' } });
    try {
      const error = await failureOf<Error & { code: string }>(system.ready());
      expect(error.code).toBe('NODE_DOWN');
      expect(error.message).toContain(`nats://127.0.0.1:${port}`);
      expect(system.nodes()).toEqual(['alone']);
      const { Counter } = await import('./fixtures/counter.js');
      expect(await codeOf(system.spawn(Counter, { placement: { node: 'b' }, args: 0 }))).toBe('NODE_DOWN');
      const local = await system.spawn(Counter, { args: 1 }); // this machine still works
      expect(await local.ask('get')).toBe(1);
    } finally {
      await system.shutdown();
    }
  });
});
