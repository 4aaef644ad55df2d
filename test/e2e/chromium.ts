// Debian's Chromium for the browser tests, installed with apt when it is missing, launched with the
// flags that keep it off the network (no updates, no sync, no background requests).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(`Chromium is missing and apt-get install chromium failed (${(err as Error).message}); install it, then run the tests again`);
  }
}

/** Headless Chromium; playwright adds --headless itself. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
