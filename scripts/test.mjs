// `npm test`: the build, then the tests, with the API reference and the type check beside
// them. typedoc reads the sources, not the build, so it runs beside the build; the type
// check needs the build's types and nothing of the tests, so it runs beside the tests. The
// tests spend much of their time waiting (for hosts to start, for timers, for nats-server),
// and on a 2-core machine shared with other work two steps side by side get more of it
// than one after the other.
//
// The build and the tests print as they run; what the other two print comes after, under a
// heading. The run fails when any step fails. Arguments after `npm test --` go to vitest.
import { spawn } from 'node:child_process';

/** Runs `command` through the shell; resolves with its exit code, its seconds and, unless `live`, what it printed. */
function run(command, live) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code) => resolve({ code: code ?? 1, seconds: (performance.now() - started) / 1000, output: Buffer.concat(output).toString() }));
  });
}

/** Prints what a step run beside the others printed, under a heading; true when it passed. */
async function report(name, step) {
  const { code, seconds, output } = await step;
  process.stdout.write(`\n${code === 0 ? '✓' : '✗'} ${name} (${seconds.toFixed(1)} s)${code === 0 ? '' : `: failed with exit code ${code}`}\n${output}`);
  return code === 0;
}

const docs = run('typedoc --skipErrorChecking && node scripts/checkExamples.mjs docs/api/api.json', false);
const build = await run('npm run --silent build', true);
let passed = build.code === 0;
process.stdout.write(`${passed ? '✓' : '✗'} build (${build.seconds.toFixed(1)} s)\n`);
if (passed) {
  const typecheck = run('npm run --silent typecheck', false);
  const forwarded = process.argv.slice(2).map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  const tests = await run(['vitest run --project=!types', ...forwarded].join(' '), true);
  passed = tests.code === 0;
  passed = (await report('typecheck', typecheck)) && passed;
}
passed = (await report('API reference', docs)) && passed;
process.exitCode = passed ? 0 : 1;
