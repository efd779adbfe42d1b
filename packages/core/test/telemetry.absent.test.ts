import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('without telemetry', () => {
  it('runs, inspects and serves the inspector without loading OpenTelemetry, which loads only for telemetry', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--import', fixture('noOtelRegister.mjs'), fixture('withoutTelemetry.ts')], { encoding: 'utf8', timeout: 20_000 });
    const { count, actors, page, telemetry } = JSON.parse(out) as { count: number; actors: number; page: number; telemetry: string };
    expect({ count, actors, page }).toEqual({ count: 42, actors: 1, page: 200 });
    // The hook works (telemetry needs the package), and the error says what to do.
    expect(telemetry).toMatch(/^INVALID_ARGUMENT: options.telemetry needs the package '@opentelemetry\/api': npm install @opentelemetry\/api$/);
  });
});
