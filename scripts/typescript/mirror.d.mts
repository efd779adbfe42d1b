// Types of mirror.mjs, for vitest.config.ts and the test helpers.
import type { UserConfig } from 'vitest/config';

type Plugin = NonNullable<UserConfig['plugins']>[number];

/** The root of the compiled copy. */
export const MIRROR: string;
export const SOURCE_MAPS: boolean;
/** Whether the copy holds (the compiled form of) `file`, an absolute path. */
export function inMirror(file: string): boolean;
/** Where the copy holds `file` (an absolute path the copy holds): `.ts` becomes `.js`. */
export function mirrorOf(file: string): string;
/** Brings the whole copy up to date, and removes what no source is left for. */
export function writeMirror(): void;
/** The vite plugin of the test run (see mirror.mjs). */
export function mirrorPlugin(): Plugin;
