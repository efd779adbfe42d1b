import { describe, expect, it } from 'vitest';
import { readmeExample } from '../src/readme.js';

describe("the README's example", () => {
  it('prints 5 from a counter on a thread', async () => {
    await expect(readmeExample()).resolves.toBe(5);
  });
});
