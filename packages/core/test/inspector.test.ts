import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { child, createPool, createSystem, serveInspector, type ActorSystem, type Inspector } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Faulty } from './fixtures/faulty.js';
import { tasks } from './fixtures/tasks.js';
import type { Page } from 'puppeteer-core';
import { launchChromium } from './chromium.js';
import { openMemoryNetwork } from '../src/transport/memoryNetwork.js';
import { structuredCloneCodec } from '../src/wire/FrameCodec.js';

/** What the page's functions use of the browser (the tests compile without the DOM's types). */
interface PageElement {
  readonly textContent: string | null;
  querySelector(selector: string): PageElement | null;
}
interface PageGlobals {
  readonly document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageElement> };
  getSelection(): { selectAllChildren(node: PageElement): void; toString(): string } | null;
}

/** Waits until the number the page shows at `selector` reaches `least` (the page redraws with each snapshot). */
async function waitForNumber(page: Page, selector: string, least: number): Promise<void> {
  await page.waitForFunction((s: string, n: number) => Number((globalThis as unknown as PageGlobals).document.querySelector(s)?.textContent) >= n, { timeout: 10_000, polling: 50 }, selector, least);
}

/** What the details pane shows for `field` (its table's row of that name), read inside the page. */
function detail(page: Page, field: string): Promise<string | undefined> {
  return page.evaluate((f: string) => {
    const rows = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('#details tr'));
    return rows.find((tr) => tr.querySelector('th')?.textContent === f)?.querySelector('td')?.textContent ?? undefined;
  }, field);
}

/** The status of a GET with its own Host header (fetch does not let one set it). */
function statusOf(port: number, path: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
}

describe('the inspector', () => {
  let system: ActorSystem;
  let other: ActorSystem;
  let inspector: Inspector;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  beforeAll(async () => {
    system = createSystem({ node: 'a', shutdownTimeout: 3_000 });
    other = createSystem({ node: 'b', shutdownTimeout: 3_000, serve: [Counter] }); // a second node of the cluster
    const net = openMemoryNetwork(structuredCloneCodec);
    system.attachPeer(other.peerInfo, net.a);
    other.attachPeer(system.peerInfo, net.b);
    inspector = await serveInspector(system, { interval: 100 });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await inspector.close();
    await Promise.all([system.shutdown(), other.shutdown()]);
  });

  /** A page on the inspector once `actor`'s row is drawn (`row`: its selector); `errors` collects what the page's script throws. */
  async function openOn(actor: { readonly id: string }): Promise<{ readonly page: Page; readonly row: string; readonly errors: string[] }> {
    const page = await chromium!.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => void errors.push(String(error)));
    const row = `.row[data-id="${actor.id}"]`;
    try {
      await page.goto(inspector.url);
      await page.waitForSelector(row);
    } catch (error) {
      await page.close();
      throw error;
    }
    return { page, row, errors };
  }

  it('binds to loopback and refuses requests without its token', async () => {
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const base = `http://127.0.0.1:${inspector.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong-token-value`)).status).toBe(401);
    expect((await fetch(`${base}/snapshot`, { headers: { authorization: `Bearer ${inspector.token}` } })).status).toBe(200);
    // A page on another site that made a name resolve to 127.0.0.1 (DNS rebinding) is refused, token or not.
    expect(await statusOf(inspector.port, `/snapshot?token=${inspector.token}`, 'evil.example')).toBe(421);
  });

  it('rejects bad options with INVALID_ARGUMENT', async () => {
    await expect(serveInspector(system, { port: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(serveInspector(system, { token: 'short' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('shows the tree in a real browser, and its counters go up as messages are handled', async () => {
    const counter = await system.spawn(Counter, { name: 'tally', args: 0 });
    const sup = await system.supervise({ id: 'workers', children: [child('w', Faulty, { placement: 'thread' })] });
    const remote = await system.spawn(Counter, { placement: { node: 'b' }, args: 0 });
    const pool = createPool({ tasks, size: 1, system });
    await pool.apply('square', 2);
    const { page, row, errors } = await openOn(counter);
    try {
      expect(await page.$eval('#tree', (el) => el.textContent)).toContain('workers');
      expect(await page.$(`.row[data-id="${sup.ref('w').id}"]`)).not.toBeNull();
      expect(await page.$(`.row[data-kind="node"][data-id="b"] ~ ul .row[data-id="${remote.id}"]`)).not.toBeNull(); // under its node
      const before = Number(await page.$eval(`${row} .handled`, (el) => el.textContent));
      for (let i = 0; i < 50; i++) counter.tell('add', 1);
      await counter.ask('get');
      await waitForNumber(page, `${row} .handled`, before + 51);
      await page.click(`${row} b`);
      const details = await page.$eval('#details', (el) => el.textContent);
      expect(details).toContain('tally');
      expect(details).toContain('counter/Counter');
      expect(await page.$eval('#pools', (el) => el.textContent)).toContain('1 done');
      expect(errors).toEqual([]); // the page's script never threw
      if (process.env.MULTITASK_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.MULTITASK_SCREENSHOT, fullPage: true });
    } finally {
      await page.close();
      await pool.terminate();
    }
  });

  it('shows an actor\'s details after one click even when an update redraws the tree between press and release, and keeps them live', async () => {
    const counter = await system.spawn(Counter, { name: 'busy', args: 0 });
    const { page, row, errors } = await openOn(counter);
    try {
      await page.hover(`${row} b`);
      await page.mouse.down();
      // 5 adds and a get are handled after the press: the row shows 6 once an update taken after them has been drawn.
      for (let i = 0; i < 5; i++) counter.tell('add', 1);
      await counter.ask('get');
      await waitForNumber(page, `${row} .handled`, 6);
      await page.mouse.up();
      expect(await page.$eval('#details', (el) => el.textContent)).toContain('busy'); // one click, shown at once
      expect(await page.$(`${row}.selected`)).not.toBeNull();
      // The details follow the actor's figures as updates arrive.
      for (let i = 0; i < 20; i++) counter.tell('add', 1);
      await counter.ask('get');
      await vi.waitFor(async () => expect(Number(await detail(page, 'handled'))).toBeGreaterThanOrEqual(27), { timeout: 10_000, interval: 50 });
      expect(await detail(page, 'name')).toBe('busy');
      // Text selected in the details (an id to copy) stays selected while updates arrive.
      const selected = await page.evaluate(() => {
        const win = globalThis as unknown as PageGlobals;
        const cell = win.document.querySelector('#details td'); // the id's
        if (cell !== null) win.getSelection()?.selectAllChildren(cell);
        return win.getSelection()?.toString();
      });
      expect(selected).toBe(counter.id);
      for (let i = 0; i < 10; i++) counter.tell('add', 1);
      await counter.ask('get');
      await vi.waitFor(async () => expect(Number(await detail(page, 'handled'))).toBeGreaterThanOrEqual(38), { timeout: 10_000, interval: 50 });
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).getSelection()?.toString())).toBe(counter.id);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('selects the actor pressed even when an update moves its row before the release, and folds a branch with one click', async () => {
    const above = await system.spawn(Counter, { name: 'above', args: 0 });
    const moved = await system.spawn(Counter, { name: 'moved', args: 0 });
    const { page, row } = await openOn(moved);
    try {
      const [top, bottom] = await Promise.all([page.$(`.row[data-id="${above.id}"]`), page.$(row)]);
      expect((await top?.boundingBox())?.y).toBeLessThan((await bottom?.boundingBox())?.y ?? 0); // drawn above it
      await page.hover(`${row} b`);
      await page.mouse.down();
      await system.stop(above); // its row goes, and the pressed row moves up from under the pointer
      await page.waitForFunction((gone: string) => (globalThis as unknown as PageGlobals).document.querySelector(gone) === null, { timeout: 10_000, polling: 50 }, `.row[data-id="${above.id}"]`);
      await page.mouse.up();
      expect(await detail(page, 'name')).toBe('moved');
      const fold = '.row[data-kind="node"][data-id="a"] .toggle';
      await page.click(fold);
      expect(await page.$eval(fold, (el) => el.textContent)).toBe('▸');
      expect(await page.$(row)).toBeNull();
      await page.click(fold);
      expect(await page.$(row)).not.toBeNull();
      // A click that no press came before (the keyboard's, a script's) folds it too, once.
      await page.evaluate((selector: string) => ((globalThis as unknown as PageGlobals).document.querySelector(selector) as unknown as { click(): void }).click(), fold);
      expect(await page.$(row)).toBeNull();
    } finally {
      await page.close();
    }
  });
});
