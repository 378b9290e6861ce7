/**
 * A headless Chromium for the dashboard's e2e spec: Debian's `chromium` package (CHROMIUM_PATH to use
 * another), driven by playwright-core, which downloads no browser of its own.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`,
    );
  }
  // As root (containers, CI) Chromium's sandbox cannot start; the pages are our own.
  return chromium.launch({ executablePath: chromiumPath, headless: true, chromiumSandbox: false });
}

/** Whether the orchestrator serves GET /metrics (the metrics branch): the metrics-backed widgets need it. */
export async function servesMetrics(orchestratorUrl: string): Promise<boolean> {
  const response = await fetch(`${orchestratorUrl}/metrics`);
  await response.arrayBuffer();
  return response.status === 200;
}
