/**
 * An experiment, not a contract result: what `createSystem({ copyInline: true })` costs an
 * inline actor. Tells and asks to one inline actor, with the option off and on, alternated
 * (A B A B ...), for a small payload and for a larger one; the median of each is printed.
 * See docs/performance.md for the figures. Run (after `npm run build`):
 * `node packages/bench/dist/experiments/copyInline.js`.
 */
import { createSystem, defineActor } from '@multitask/core';

const Sink = defineActor({
  url: import.meta.url,
  name: 'Sink',
  init: () => ({ count: 0 }),
  handlers: {
    take(ctx, _payload: unknown) {
      ctx.state.count += 1;
    },
    echo(_ctx, payload: unknown) {
      return payload;
    },
    count: (ctx) => ctx.state.count,
  },
});

const payloads = {
  small: { id: 7, kind: 'order', amount: 12.5 },
  /** ~100 fields in 10 nested objects, and an array of 100 numbers. */
  large: {
    rows: Array.from({ length: 10 }, (_, i) => Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`f${j}`, i * 10 + j]))),
    values: Array.from({ length: 100 }, (_, i) => i / 3),
  },
} as const;

const TELLS = 200_000;
const ASKS = 20_000;
const ROUNDS = 5;

/** Messages per second of `count` tells, then one ask to wait for them. */
async function tells(copyInline: boolean, payload: unknown): Promise<number> {
  await using system = createSystem({ copyInline });
  const sink = await system.spawn(Sink);
  const start = performance.now();
  for (let i = 0; i < TELLS; i++) sink.tell('take', payload);
  await sink.ask('count');
  return TELLS / ((performance.now() - start) / 1_000);
}

/** Microseconds per ask, asked one after another. */
async function asks(copyInline: boolean, payload: unknown): Promise<number> {
  await using system = createSystem({ copyInline });
  const sink = await system.spawn(Sink);
  const start = performance.now();
  for (let i = 0; i < ASKS; i++) await sink.ask('echo', payload);
  return ((performance.now() - start) * 1_000) / ASKS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

for (const [name, payload] of Object.entries(payloads)) {
  const off = { tell: [] as number[], ask: [] as number[] };
  const on = { tell: [] as number[], ask: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    const results = [await tells(false, payload), await tells(true, payload), await asks(false, payload), await asks(true, payload)];
    if (round === 0) continue; // warm-up
    off.tell.push(results[0] as number);
    on.tell.push(results[1] as number);
    off.ask.push(results[2] as number);
    on.ask.push(results[3] as number);
  }
  const k = (n: number): string => `${(n / 1_000).toFixed(0)} k msg/s`;
  console.log(`${name} payload: tell ${k(median(off.tell))} off, ${k(median(on.tell))} on; ask ${median(off.ask).toFixed(1)} µs off, ${median(on.ask).toFixed(1)} µs on`);
}
