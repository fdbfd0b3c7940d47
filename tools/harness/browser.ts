// Headless Chromium from the distribution (Debian's `chromium`), driven by
// playwright-core: a fresh profile per launch, no network beyond what the
// page asks for, nothing downloaded. For the web view's browser tests,
// its benchmark and the screenshots in docs/.

import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM)`;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1400, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'zk-chromium-'));
  // A persistent context is how playwright takes a --user-data-dir: here a fresh, empty one.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the predicates below touch in the page (this project compiles without the DOM library). */
interface PageGlobals {
  document: {
    querySelectorAll(selector: string): { length: number } & Iterable<{ getAttribute(name: string): string | null }>;
  };
  [name: string]: unknown;
}

/**
 * Waits until `selector` matches `count` elements. A function, not a string:
 * the page's CSP has no 'unsafe-eval', and playwright evaluates string
 * predicates with eval inside the page.
 */
export async function waitForCount(page: Page, selector: string, count: number, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    ([sel, n]) => (globalThis as unknown as PageGlobals).document.querySelectorAll(sel).length === n,
    [selector, count] as const,
    { timeout },
  );
}

/** Waits until every element matching `selector` has `attribute` equal to `value` (and there is one at least). */
export async function waitForAll(
  page: Page,
  selector: string,
  attribute: string,
  value: string,
  timeout = 90_000,
): Promise<void> {
  await page.waitForFunction(
    ([sel, attr, v]) => {
      const els = [...(globalThis as unknown as PageGlobals).document.querySelectorAll(sel)];
      return els.length > 0 && els.every((e) => e.getAttribute(attr) === v);
    },
    [selector, attribute, value] as const,
    { timeout },
  );
}

/** Waits until the page's `window[name][key]` is set, and returns it. */
export async function waitForEntry(page: Page, name: string, key: string, timeout = 30_000): Promise<unknown> {
  const handle = await page.waitForFunction(
    ([n, k]) => ((globalThis as unknown as PageGlobals)[n] as Record<string, unknown> | undefined)?.[k],
    [name, key] as const,
    { timeout },
  );
  return handle.jsonValue();
}

/** The value of `attribute` on every element matching `selector`, in document order. */
export async function attributesOf(page: Page, selector: string, attribute: string): Promise<string[]> {
  const out: string[] = [];
  for (const el of await page.locator(selector).all()) out.push((await el.getAttribute(attribute)) ?? '');
  return out;
}
