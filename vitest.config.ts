import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Type tests (*.test-d.ts): the compiler checks them and each type error fails its test.
    // `npm test` turns this off: its `npm run typecheck` has checked every test file (these
    // too) just before, and a second compiler beside the tests cost ~8 s of a core.
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
    // Tests run the way a TypeScript user runs under a loader: the threads and processes the
    // tests start inherit `--import <loader>`, so TypeScript actor modules load in them. The
    // loader is scripts/typescript (esbuild, as tsx uses, without tsx's cost in each of the
    // hundreds of hosts the suite starts); tsxHosts.test.ts runs hosts under tsx itself.
    execArgv: ['--import', fileURLToPath(new URL('./scripts/typescript/register.mjs', import.meta.url))],
    // The cluster tests need a nats-server: found on PATH or NATS_SERVER, else installed
    // (root + apt-get), else the run stops with the one-line install command.
    globalSetup: ['packages/core/test/natsSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
