import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem, type ClusterAuth } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { failureOf } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('logging in to the NATS server', () => {
  let server: NatsServer | undefined;
  let systems: ActorSystem[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'multitask-auth-'));
  afterEach(async () => {
    await Promise.all(systems.map((system) => system.shutdown()));
    systems = [];
    await server?.dispose();
    server = undefined;
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Two nodes that log in with `auth`; the second serves Counter, the first asks it. */
  const twoNodes = async (auth: ClusterAuth | undefined): Promise<number> => {
    const cluster = { servers: server!.url, name: 'auth', heartbeat: 250, ...(auth === undefined ? {} : { auth }) };
    const a = createSystem({ node: 'a', cluster });
    const b = createSystem({ node: 'b', serve: [Counter], cluster });
    systems.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const counter = await a.spawn(Counter, { placement: { node: 'b' }, args: 41 });
    counter.tell('add', 1);
    return counter.ask('get');
  };

  it('passes a user and password to the client, and a wrong one fails the join with NODE_DOWN', async () => {
    server = await startNatsServer(['--user', 'shop', '--pass', 's3cret']);
    expect(await twoNodes({ user: 'shop', pass: 's3cret' })).toBe(42);
    const intruder = createSystem({ node: 'x', cluster: { servers: server.url, name: 'auth', auth: { user: 'shop', pass: 'guess' } } });
    systems.push(intruder);
    expect(await failureOf(intruder.ready())).toMatchObject({ code: 'NODE_DOWN' });
  });

  it('passes a token to the client', async () => {
    server = await startNatsServer(['--auth', 'tok3n']);
    expect(await twoNodes({ token: 'tok3n' })).toBe(42);
  });

  it('signs the server challenge with an nkey seed', async () => {
    const user = nkeys.createUser();
    const config = join(folder, 'nkey.conf');
    writeFileSync(config, `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`);
    server = await startNatsServer(['-c', config]);
    expect(await twoNodes({ nkeySeed: new TextDecoder().decode(user.getSeed()) })).toBe(42);
  });

  it('connects over TLS with the CA given in auth.tls, and refuses a server it cannot verify', async () => {
    const key = join(folder, 'server-key.pem');
    const cert = join(folder, 'server.pem');
    // A certificate for 127.0.0.1, made here (openssl comes with Debian; without it there is no certificate to test with).
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    if (made.error !== undefined || made.status !== 0) return;
    server = await startNatsServer(['--tls', '--tlscert', cert, '--tlskey', key]);
    expect(await twoNodes({ tls: { caFile: cert } })).toBe(42);
    const unverified = createSystem({ node: 'x', cluster: { servers: server.url, name: 'auth', auth: { tls: {} } } });
    systems.push(unverified);
    expect(await failureOf(unverified.ready())).toMatchObject({ code: 'NODE_DOWN' });
  });
});
