/**
 * An experiment, not a contract result: a ping-pong with a child process over the IPC
 * channel (`json` or `advanced` serialization) or over a pipe of our own carrying
 * length-prefixed `v8.serialize` frames. Run: `node packages/bench/dist/experiments/processLinks.js`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeFrame, frameReader, lineOf, lineReader } from './processLinksChild.js';
import type { Socket } from 'node:net';

type Way = 'json' | 'advanced' | 'pipe' | 'pipe-json' | 'pipe-line' | 'pipe-line-onread';
const SAMPLES = 20_000;
const ROUNDS = 5;
const FRAME = (n: number): unknown[] => [1, 'n1.0', 'a7', 'ping', n, 0, 'n0.0', n];

interface Link { ask(message: unknown): Promise<unknown>; close(): void }

function open(way: Way): Link {
  const child: ChildProcess = fork(fileURLToPath(new URL('./processLinksChild.js', import.meta.url)), [way], {
    serialization: way === 'json' ? 'json' : 'advanced',
    stdio: ['inherit', 'inherit', 'inherit', 'ipc', 'pipe'],
  });
  let waiting: ((message: unknown) => void) | undefined;
  const deliver = (message: unknown): void => {
    const w = waiting;
    waiting = undefined;
    w?.(message);
  };
  if (way === 'json' || way === 'advanced') {
    child.on('message', deliver);
    return { ask: (m) => new Promise((r) => ((waiting = r), child.send(m as object))), close: () => child.disconnect() };
  }
  const socket = child.stdio[4] as Socket;
  if (way === 'pipe-line' || way === 'pipe-line-onread') {
    const read = lineReader(deliver);
    socket.on('data', (chunk: Buffer) => read(chunk, chunk.length));
    return { ask: (m) => new Promise((r) => ((waiting = r), socket.write(lineOf(m), 'latin1'))), close: () => (socket.destroy(), child.disconnect()) };
  }
  socket.on('data', frameReader(deliver));
  const json = way === 'pipe-json';
  return {
    ask(m) {
      return new Promise((r) => {
        waiting = r;
        socket.write(encodeFrame(m, json));
      });
    },
    close() {
      socket.destroy();
      child.disconnect();
    },
  };
}

async function run(link: Link): Promise<{ rtt: number; cpu: number; near: number }> {
  const farBefore = ((await link.ask(['cpu'])) as [NodeJS.CpuUsage])[0];
  const near = process.cpuUsage();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await link.ask(FRAME(i));
    times.push((performance.now() - t0) * 1000);
  }
  const nearUsed = process.cpuUsage(near);
  const farAfter = ((await link.ask(['cpu'])) as [NodeJS.CpuUsage])[0];
  times.sort((a, b) => a - b);
  const cpu = nearUsed.user + nearUsed.system + farAfter.user + farAfter.system - farBefore.user - farBefore.system;
  return { rtt: times[times.length >> 1] as number, cpu: cpu / SAMPLES, near: (nearUsed.user + nearUsed.system) / SAMPLES };
}

const ways: Way[] = (process.argv[2]?.split(',') as Way[] | undefined) ?? ['json', 'pipe-json', 'pipe-line', 'pipe-line-onread'];
const links = new Map(ways.map((way) => [way, open(way)]));
for (const link of links.values()) await run(link); // warm-up
const results = new Map<Way, Array<{ rtt: number; cpu: number; near: number }>>(ways.map((w) => [w, []]));
for (let round = 0; round < ROUNDS; round++) for (const [way, link] of links) results.get(way)?.push(await run(link));
for (const [way, runs] of results) {
  const med = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1] as number;
  console.log(`${way.padEnd(9)} rtt ${med(runs.map((r) => r.rtt)).toFixed(2)} µs  cpu ${med(runs.map((r) => r.cpu)).toFixed(2)} µs/rtt (near ${med(runs.map((r) => r.near)).toFixed(2)})`);
}
for (const link of links.values()) link.close();
