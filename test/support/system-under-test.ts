import { randomUUID } from 'node:crypto';
import { bearer } from './tokens.ts';
import { waitFor } from './wait-for.ts';

/** HTTP client for the running services the test harness (`npm test`) started. */
const required = (name: string): string => {
  const value = process.env[name];
  if (!value || process.env.E2E_SERVICES_RUNNING !== '1') {
    throw new Error(
      `${name} is not set: end-to-end specs run through \`npm test\` (or \`npm test -- e2e\`), which starts the services`,
    );
  }
  return value;
};

export const urls = {
  get orchestrator() {
    return required('ORCHESTRATOR_URL');
  },
  get inventory() {
    return required('INVENTORY_URL');
  },
  get payment() {
    return required('PAYMENT_URL');
  },
  get shipping() {
    return required('SHIPPING_URL');
  },
};

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON whose shape each assertion checks
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * The token a request carries unless the caller passes its own `authorization` header: a customer's
 * for POST /orders (the body's customerId as subject, when it names one), an operator's otherwise.
 */
function defaultAuthorization(method: string, url: string, body: unknown): { authorization: string } {
  if (method !== 'POST' || new URL(url).pathname !== '/orders') return bearer('operator');
  const named = (body as { customerId?: unknown } | undefined)?.customerId;
  return bearer('customer', typeof named === 'string' && named !== '' ? named : undefined);
}

// biome-ignore lint/suspicious/noExplicitAny: see HttpResult
export async function http<T = any>(
  method: string,
  url: string,
  body?: unknown,
  given: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const headers = 'authorization' in given ? given : { ...defaultAuthorization(method, url, body), ...given };
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export interface OrderOverrides {
  sku?: string;
  quantity?: number;
  /** The unit price the customer expects; none by default (the catalog's is charged). */
  unitPrice?: number;
  paymentToken?: string;
  country?: string;
}

/** A valid order body with a customer id unique to this run. */
export function orderBody({
  sku = 'SKU-001',
  quantity = 2,
  unitPrice,
  paymentToken = 'tok_visa',
  country = 'DE',
}: OrderOverrides = {}) {
  return {
    customerId: `c-${process.env.TEST_RUN_ID ?? 'local'}-${randomUUID().slice(0, 8)}`,
    items: [{ sku, quantity, ...(unitPrice === undefined ? {} : { unitPrice }) }],
    currency: 'EUR',
    paymentToken,
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '1 Main St',
      city: 'Berlin',
      postalCode: '10115',
      country,
    },
  };
}

export async function placeOrder(
  body: unknown = orderBody(),
  headers: Record<string, string> = {},
): Promise<string> {
  const result = await http('POST', `${urls.orchestrator}/orders`, body, headers);
  if (result.status !== 202)
    throw new Error(`POST /orders answered ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body.orderId as string;
}

export const getOrder = (orderId: string) => http('GET', `${urls.orchestrator}/orders/${orderId}`);

/** Waits until the order reaches one of the given statuses and returns it. */
export async function waitForStatus(orderId: string, statuses: readonly string[], timeoutMs = 30_000) {
  return waitFor(
    `order ${orderId} to be ${statuses.join(' or ')}`,
    async () => {
      const { body } = await getOrder(orderId);
      return statuses.includes(body?.status) ? body : undefined;
    },
    { timeoutMs },
  );
}

export async function stockOf(sku: string): Promise<number> {
  const result = await http('GET', `${urls.inventory}/stock/${sku}`);
  if (result.status !== 200) throw new Error(`GET /stock/${sku} answered ${result.status}`);
  return result.body.available as number;
}

/** The catalog price of one unit of a SKU (minor units) as inventory shows it. */
export async function catalogPriceOf(sku: string): Promise<number> {
  const result = await http('GET', `${urls.inventory}/stock/${sku}`);
  if (result.status !== 200) throw new Error(`GET /stock/${sku} answered ${result.status}`);
  return result.body.unitPrice as number;
}

export type Participant = 'inventory' | 'payment' | 'shipping';

export async function setFault(participant: Participant, fault: Record<string, unknown>): Promise<void> {
  const result = await http('POST', `${urls[participant]}/faults`, fault);
  if (result.status !== 200)
    throw new Error(
      `POST /faults on ${participant} answered ${result.status}: ${JSON.stringify(result.body)}`,
    );
}

export async function clearFaults(): Promise<void> {
  for (const participant of ['inventory', 'payment', 'shipping'] as const) {
    const result = await http('DELETE', `${urls[participant]}/faults`);
    if (result.status !== 204) throw new Error(`DELETE /faults on ${participant} answered ${result.status}`);
  }
}

/** The saga history as `kind:type` strings, e.g. `command_sent:ReserveStock`. */
export const historyOf = (order: { saga: { history: Array<{ kind: string; type: string }> } }): string[] =>
  order.saga.history.map((h) => `${h.kind}:${h.type}`);
