// The README's example, as a file the build type-checks and the tests run.
import { pathToFileURL } from 'node:url';
import { createSystem } from '@multitask/core';
import { Counter } from './counter.js';

/** Runs the README's example and returns what it prints. */
export async function readmeExample(): Promise<number> {
  await using system = createSystem();   // shut down (and every worker ended) at scope exit
  const counter = await system.spawn(Counter, { placement: 'thread', args: 0 });
  counter.tell('add', 2);                 // fire and forget
  await counter.send('add', 3);           // resolves once the mailbox accepted it
  return await counter.ask('get');        // 5, typed as number
}

/** The README's example without `await using`, as plain JavaScript on Node 20 writes it. */
export async function readmeExampleWithoutUsing(): Promise<number> {
  const system = createSystem();
  try {
    const counter = await system.spawn(Counter, { placement: 'thread', args: 0 });
    counter.tell('add', 2);
    await counter.send('add', 3);
    return await counter.ask('get');
  } finally {
    await system.shutdown();            // every worker ended, even after an error
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await readmeExample());
