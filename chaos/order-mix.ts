/** The kinds of orders the chaos run places, their bodies and the outcome each must end with. */

import type { Prng } from '../lib/random/prng.ts';
import { seedCatalog } from '../migrations/seed-catalog.ts';

export const orderKinds = [
  'happy',
  'declined',
  'out_of_stock',
  'unserved',
  'silent',
  'cancel_in_flight',
  'cancel_completed',
  'delivered',
] as const;
export type OrderKind = (typeof orderKinds)[number];

export interface ExpectedOutcome {
  status: 'COMPLETED' | 'CANCELLED';
  cancelReason: string | null;
}

export const expectedOutcome: Record<OrderKind, ExpectedOutcome> = {
  happy: { status: 'COMPLETED', cancelReason: null },
  declined: { status: 'CANCELLED', cancelReason: 'payment_declined' },
  out_of_stock: { status: 'CANCELLED', cancelReason: 'out_of_stock' },
  unserved: { status: 'CANCELLED', cancelReason: 'shipping_failed' },
  silent: { status: 'CANCELLED', cancelReason: 'timeout' },
  // The customer cancels right after placing it (a step in flight, or already COMPLETED).
  cancel_in_flight: { status: 'CANCELLED', cancelReason: 'customer_cancelled' },
  // The customer cancels once it is COMPLETED (before any pickup).
  cancel_completed: { status: 'CANCELLED', cancelReason: 'customer_cancelled' },
  // Once COMPLETED the run's carrier picks it up, the customer's cancel races the pickup and loses
  // (409, or taken and given up when the pickup reaches the saga first), then it is delivered.
  delivered: { status: 'COMPLETED', cancelReason: null },
};

/** What the run did to an order after placing it (order-follow-up.ts), for the checks. */
export interface FollowUp {
  /** HTTP status of the customer's cancel; null when none was sent (or none was answered). */
  cancel: number | null;
  /** The carrier's times as shipping answered them (200); null when that event was not accepted. */
  pickedUpAt: string | null;
  deliveredAt: string | null;
  /** What went wrong with the follow-up itself: an unexpected answer, or none in time. */
  problems: string[];
}

/** The kinds whose order the run acts on after placing it (order-follow-up.ts). */
export const followedUpKinds: ReadonlySet<OrderKind> = new Set([
  'cancel_in_flight',
  'cancel_completed',
  'delivered',
]);

/** Share of each kind among the regular orders (silent orders are placed in silent windows only). */
export const regularMix = {
  happy: 40,
  declined: 12,
  out_of_stock: 12,
  unserved: 12,
  cancel_in_flight: 8,
  cancel_completed: 8,
  delivered: 8,
} as const;
export type RegularKind = keyof typeof regularMix;

/** SKU-LTD has only 5 units and no other order kind buys it: any quantity above 5 is out of stock. */
export const limitedSku = 'SKU-LTD';
const limitedStock = seedCatalog.find((s) => s.sku === limitedSku)?.quantity ?? 5;
const plentifulSkus = seedCatalog.filter((s) => s.sku !== limitedSku).map((s) => s.sku);
/** Destinations a carrier serves (the shipping participant's table) and the one nobody serves. */
const servedCountries = [
  'DE',
  'AT',
  'NL',
  'BE',
  'PL',
  'IT',
  'ES',
  'FR',
  'GB',
  'IE',
  'SE',
  'US',
  'CA',
  'JP',
  'BR',
];
export const unservedCountry = 'AQ';

export interface OrderItemBody {
  sku: string;
  quantity: number;
  /** The price the customer expects: the catalog's (or none), so no order is cancelled price_changed. */
  unitPrice?: number;
}

/** Catalog price per SKU (the run changes no price). */
const catalogPrices = new Map<string, number>(seedCatalog.map((s) => [s.sku, s.unitPrice]));
const catalogPriceOf = (sku: string): number => {
  const price = catalogPrices.get(sku);
  if (price === undefined) throw new Error(`${sku} is not in migrations/seed-catalog.ts`);
  return price;
};

export interface OrderBody {
  customerId: string;
  items: OrderItemBody[];
  currency: string;
  paymentToken: string;
  shippingAddress: { name: string; line1: string; city: string; postalCode: string; country: string };
}

function plentifulItems(random: Prng): OrderItemBody[] {
  const count = random.int(1, 3);
  return Array.from({ length: count }, () => {
    const sku = random.pick(plentifulSkus);
    const quantity = random.int(1, 4);
    // Half the lines say the price the customer expects (the catalog's), half leave it to the catalog.
    return random.next() < 0.5 ? { sku, quantity, unitPrice: catalogPriceOf(sku) } : { sku, quantity };
  });
}

/** The body of order `n` of kind `kind` (the customer id names the run and the order). */
export function orderBody(kind: OrderKind, n: number, runId: string, random: Prng): OrderBody {
  let items = plentifulItems(random);
  let paymentToken = random.pick(['tok_visa', 'tok_mastercard', 'tok_amex']);
  let country = random.pick(servedCountries);
  switch (kind) {
    case 'happy':
    case 'silent':
    case 'cancel_in_flight':
    case 'cancel_completed':
    case 'delivered':
      break;
    case 'declined':
      paymentToken = 'tok_decline';
      break;
    case 'out_of_stock': {
      // All-or-nothing: the plentiful lines next to the short one must not be reserved either.
      const short = {
        sku: limitedSku,
        quantity: random.int(limitedStock + 1, limitedStock + 20),
        unitPrice: catalogPriceOf(limitedSku),
      };
      items = random.next() < 0.5 ? [short] : [...items, short];
      break;
    }
    case 'unserved':
      country = unservedCountry;
      break;
    default: {
      const unknown: never = kind;
      throw new Error(`unknown order kind ${String(unknown)}`);
    }
  }
  return {
    customerId: `chaos-${runId}-${n}`,
    items,
    currency: 'EUR',
    paymentToken,
    shippingAddress: {
      name: `Chaos ${n}`,
      line1: `${n} Main St`,
      city: 'Springfield',
      postalCode: '10115',
      country,
    },
  };
}

/** What the order is charged: its catalog total. */
export const totalOf = (body: OrderBody): number =>
  body.items.reduce((sum, item) => sum + item.quantity * catalogPriceOf(item.sku), 0);
