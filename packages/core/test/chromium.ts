import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's chromium: the browser tests drive it headless (puppeteer downloads no browser here). */
export const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';

/** Makes sure chromium is installed: installs it when running as root, else fails with the command. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`the browser tests need Debian's chromium: sudo sh -c '${INSTALL}'`);
  execFileSync('sh', ['-c', INSTALL], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(CHROMIUM)) throw new Error(`chromium did not install: run ${INSTALL}`);
}

/** A headless chromium with a fresh profile; `close` ends it and removes the profile. */
export async function launchChromium(): Promise<{ readonly browser: Browser; close(): Promise<void> }> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'multitask-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
