import { ensureNatsServer } from './natsServer.js';

/**
 * vitest's global set-up: the cluster tests run against a real nats-server, so make sure
 * there is one (installing Debian's package where this may) before any test file starts.
 */
export default function setup(): void {
  ensureNatsServer();
}
