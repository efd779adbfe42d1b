// The suite runs its TypeScript compiled ahead, with no loader in the threads and processes
// it starts (scripts/typescript/mirror.mjs); this file runs a program under tsx, the way a
// user does, so what a loader needs stays proved: tsx's hooks are registered in threads
// (Node 20 does not carry them there) and inherited by processes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/underTsx.ts', import.meta.url));

describe('a program run with --import tsx', () => {
  it('runs actors and pool tasks written in TypeScript on threads and processes', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', program], { encoding: 'utf8', timeout: 30_000 });
    const { hosts, square, pid } = JSON.parse(out) as { hosts: Record<'thread' | 'process', { count: number; where: { pid: number; thread: number } }>; square: number; pid: number };
    expect(hosts.thread.count).toBe(42);
    expect(hosts.thread.where.pid).toBe(pid);
    expect(hosts.thread.where.thread).not.toBe(0);
    expect(hosts.process.count).toBe(42);
    expect(hosts.process.where.pid).not.toBe(pid);
    expect(square).toBe(49);
  });
});
