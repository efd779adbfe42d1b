import { configDefaults, defineConfig } from 'vitest/config';
import { mirrorPlugin, SOURCE_MAPS } from './scripts/typescript/mirror.mjs';

const tests = ['packages/*/test/**/*.test.ts'];

/**
 * Test files that change what the whole test process shares, and so run each in a process
 * of its own: the telemetry tests register OpenTelemetry's global providers (and an async
 * context manager that would then track every later promise), the diagnostics test asserts
 * on everything published to the process-wide channels while it listens.
 */
const ownProcess = ['packages/core/test/telemetry.{traces,metrics}.test.ts', 'packages/core/test/diagnostics.test.ts'];

export default defineConfig({
  // The tests import the packages' sources and the fixtures compiled to JavaScript, and the
  // threads and processes they start load the same files by URL, with no loader (see
  // scripts/typescript/mirror.mjs). A program a test starts from a fixture runs its compiled
  // file too (`compiled` in packages/core/test/helpers.ts).
  plugins: [mirrorPlugin()],
  test: {
    ...(SOURCE_MAPS ? { execArgv: ['--enable-source-maps'] } : {}),
    // The cluster tests need a nats-server: found on PATH or NATS_SERVER, else installed
    // (root + apt-get), else the run stops with the one-line install command.
    globalSetup: ['packages/core/test/natsSetup.ts'],
    // vitest does not follow imports into the compiled copy: in watch mode, an edited source
    // or fixture runs every test again.
    forceRerunTriggers: [...configDefaults.forceRerunTriggers, '**/packages/*/src/**', '**/packages/*/test/fixtures/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        // Most files share the two test processes, one file after another: a fork and its
        // module graph per file cost ~0.25 s of CPU each, ~20 s over the suite. Each file
        // shuts down what it started and puts back what it changed (cwd, execArgv, warning
        // listeners), so it leaves the process as it found it.
        extends: true,
        test: { name: 'shared', include: tests, exclude: [...configDefaults.exclude, ...ownProcess], isolate: false },
      },
      { extends: true, test: { name: 'own-process', include: ownProcess } },
      {
        // Type tests (*.test-d.ts): the compiler checks them and each type error fails its
        // test. `npm test` leaves this project out (`--project=!types`): its `npm run
        // typecheck` has checked every test file (these too) just before, and a second
        // compiler beside the tests cost ~8 s of a core.
        extends: true,
        test: { name: 'types', include: [], typecheck: { enabled: true, only: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' } },
      },
    ],
  },
});
