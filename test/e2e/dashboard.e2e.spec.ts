/**
 * The dashboard in a real browser (headless Chromium): sign-in with ?token=, orders placed through
 * the API reaching COMPLETED in the live table, the counters moving, the status filter, and a
 * declined order's page with the compensation path highlighted on the state chart.
 * DASHBOARD_SCREENSHOT=<file.png> also saves a screenshot of the overview (npm run screenshot).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sessionCookieName } from '../../lib/http/browser-session.ts';
import { sagaStateNames } from '../../orchestrator/saga/saga-types.ts';
import { launchChromium, servesMetrics } from '../support/dashboard-browser.ts';
import { orderBody, placeOrder, urls, waitForStatus } from '../support/system-under-test.ts';
import { tokenFor } from '../support/tokens.ts';
import { waitFor } from '../support/wait-for.ts';

const timeout = 30_000;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
});
after(async () => browser?.close());

/** The number a counter shows (its data-value), once the page has rendered it. */
async function counter(key: string): Promise<number> {
  const value = await page.locator(`#counter-${key}`).getAttribute('data-value', { timeout });
  return Number(value);
}

/** Waits until the orders table shows each order with the status. */
async function rowsWithStatus(orderIds: readonly string[], status: string): Promise<void> {
  for (const id of orderIds) {
    await page.locator(`#orders tr[data-order-id="${id}"][data-status="${status}"]`).waitFor({ timeout });
  }
}

/** Waits until the element's text matches. */
const textMatches = (selector: string, pattern: RegExp) =>
  waitFor(`${selector} to show ${pattern}`, async () =>
    pattern.test(await page.locator(selector).innerText()) ? true : undefined,
  );

describe('dashboard in a browser', () => {
  test('?token= signs in: a 303 to the clean URL and an HttpOnly, SameSite=Strict cookie', async () => {
    const response = await page.goto(`${urls.orchestrator}/dashboard?token=${tokenFor('operator')}`);
    assert.equal(response?.status(), 200);
    assert.equal(response?.request().redirectedFrom()?.url().includes('token='), true);
    assert.equal((await response?.request().redirectedFrom()?.response())?.status(), 303);
    assert.equal(page.url(), `${urls.orchestrator}/dashboard`);
    const cookie = (await context.cookies()).find((c) => c.name === sessionCookieName);
    assert.ok(cookie, 'the session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/dashboard');
    assert.ok(cookie.expires > Date.now() / 1000, 'it expires with the token');
    await page.locator('#connection[data-state="live"]').waitFor({ timeout });
  });

  let declined = '';
  test('orders placed through the API reach COMPLETED in the live table; the counters move', async () => {
    const placedBefore = await counter('placed');
    const completedBefore = await counter('completed');
    const cancelledBefore = await counter('cancelled');
    const happy = [
      await placeOrder(orderBody({ sku: 'SKU-001', quantity: 1 })),
      await placeOrder(orderBody({ sku: 'SKU-002', quantity: 2 })),
    ];
    declined = await placeOrder(orderBody({ sku: 'SKU-003', quantity: 1, paymentToken: 'tok_decline' }));
    await rowsWithStatus(happy, 'COMPLETED');
    await rowsWithStatus([declined], 'CANCELLED');
    await waitFor('the counters to move', async () =>
      (await counter('placed')) >= placedBefore + 3 &&
      (await counter('completed')) >= completedBefore + 2 &&
      (await counter('cancelled')) >= cancelledBefore + 1
        ? true
        : undefined,
    );
    const reasons = await page.locator('#outcomes').innerText();
    assert.match(reasons, /payment_declined/);
  });

  test('the status filter shows only that status', async () => {
    await page.selectOption('#status-filter', 'CANCELLED');
    await rowsWithStatus([declined], 'CANCELLED');
    await waitFor('only CANCELLED rows', async () => {
      const statuses = await page
        .locator('#orders tr[data-status]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
      return statuses.length > 0 && statuses.every((s) => s === 'CANCELLED') ? true : undefined;
    });
    assert.match(page.url(), /\?status=CANCELLED$/);
    await page.selectOption('#status-filter', '');
  });

  test('metrics-backed widgets: stock and services from /metrics when it is served, n/a otherwise', async () => {
    if (await servesMetrics(urls.orchestrator)) {
      await textMatches('#stock', /SKU-001/);
      const services = await page.locator('#services').innerText();
      for (const service of ['orchestrator', 'inventory', 'payment', 'shipping'])
        assert.match(services, new RegExp(service));
      assert.doesNotMatch(services, /n\/a \(/, 'every service answered /metrics');
    } else {
      await textMatches('#stock', /n\/a/);
    }
  });

  test('a declined order’s page: the compensation path highlighted on the chart drawn from the machine', async () => {
    const order = await waitForStatus(declined, ['CANCELLED']);
    await page.click(`#orders tr[data-order-id="${declined}"] a`);
    await page.waitForURL(`${urls.orchestrator}/dashboard/orders/${declined}`, { timeout });
    await page.locator('g.state.current[data-state="cancelled"]').waitFor({ timeout });
    const states = await page
      .locator('g.state')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    assert.deepEqual(states.sort(), [...sagaStateNames].sort(), 'every state of the machine is on the chart');
    const visited = await page
      .locator('g.state.visited')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    assert.deepEqual(visited.sort(), ['cancelled', 'processingPayment', 'releasingStock', 'reservingStock']);
    assert.ok(await page.locator('g.state.compensation.visited[data-state="releasingStock"]').count());
    const taken = await page
      .locator('g.edge.taken')
      .evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-from')}>${g.getAttribute('data-to')}`));
    assert.deepEqual(taken.sort(), [
      'processingPayment>releasingStock',
      'releasingStock>cancelled',
      'reservingStock>processingPayment',
    ]);
    assert.equal(await page.locator('g.edge.taken.compensation').count(), 2);
    const history = await page.locator('#history').innerText();
    for (const row of order.saga.history as Array<{ type: string }>)
      assert.ok(history.includes(row.type), row.type);
    assert.ok(await page.locator('#history pre').count(), 'payloads are shown');
    assert.equal(await page.locator('#path li').count(), 4);
    assert.equal(await page.locator('#retry').isDisabled(), true, 'only a FAILED saga can be retried');
    const screenshot = process.env.DASHBOARD_SCREENSHOT;
    if (screenshot)
      await page.screenshot({ path: screenshot.replace(/\.png$/, '-order.png'), fullPage: true });
  });

  test('screenshot of the overview (DASHBOARD_SCREENSHOT)', {
    skip: !process.env.DASHBOARD_SCREENSHOT,
  }, async () => {
    const mix = [
      orderBody({ sku: 'SKU-001', quantity: 1 }),
      orderBody({ sku: 'SKU-002', quantity: 3 }),
      orderBody({ sku: 'SKU-004', quantity: 1, country: 'AQ' }),
      orderBody({ sku: 'SKU-005', quantity: 2, unitPrice: 1 }),
      orderBody({ sku: 'SKU-001', quantity: 2 }),
      orderBody({ sku: 'SKU-003', quantity: 1, paymentToken: 'tok_decline' }),
      orderBody({ sku: 'SKU-002', quantity: 1 }),
    ];
    const ids: string[] = [];
    for (const body of mix) ids.push(await placeOrder(body));
    for (const id of ids) await waitForStatus(id, ['COMPLETED', 'CANCELLED', 'FAILED']);
    await page.goto(`${urls.orchestrator}/dashboard`);
    await page
      .locator(`#orders tr[data-order-id="${ids.at(-1)}"]:not([data-status="PENDING"])`)
      .waitFor({ timeout });
    await page.screenshot({ path: String(process.env.DASHBOARD_SCREENSHOT), fullPage: true });
  });
});
