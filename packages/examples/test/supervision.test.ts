import { describe, expect, it } from 'vitest';
import { superviseParser } from '../src/supervision.js';

describe('the supervision example', () => {
  it('restarts the parser in place after a throw and on a new thread after an exit', async () => {
    const report = await superviseParser();
    expect(report).toEqual({
      crashes: ['error: not a number: forty-two', 'exit'],
      restarts: 2,
      askAfterThrow: 'not a number: forty-two',
      parsedAfterRestart: 42,
      sameThreadAfterThrow: true,
      newThreadAfterExit: true,
      pendingAskCode: 'WORKER_CRASHED',
    });
  });
});
