/** JSON schemas of the public HTTP contract (DESIGN.md); the OpenAPI document is generated from them. */
import { enumSymbols } from '../../lib/contracts/generated.ts';
import { fulfilmentStatuses } from '../orders/fulfilment-view.ts';

const sku = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
export const orderStatuses = ['PENDING', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;
/** OrderCancelled's CancelReason symbols (schemas/order-events), the one list. */
const cancelReasons = enumSymbols.CancelReason;

/** The customer's contact for notifications (docs/notifications.md); optional: without it nothing is sent. */
const contact = {
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  description:
    'optional: where the notification service tells the customer about the order (email; SMS when `phone` is given). Without it the order is placed and nothing is sent',
  properties: {
    email: { type: 'string', format: 'email', minLength: 3, maxLength: 254 },
    phone: {
      type: 'string',
      pattern: '^\\+[1-9][0-9]{7,14}$',
      description: 'E.164: + and 8 to 15 digits, e.g. +4915112345678',
    },
  },
} as const;

export const placeOrderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'currency', 'paymentToken', 'shippingAddress'],
  properties: {
    customerId: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      description: 'Optional: the customer is the bearer token’s subject; naming another one is a 403',
    },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity'],
        properties: {
          sku,
          quantity: { type: 'integer', minimum: 1, maximum: 10_000 },
          unitPrice: {
            type: 'integer',
            minimum: 0,
            maximum: 100_000_000,
            description:
              'optional: the unit price the customer expects, minor units (cents). The order is charged the catalog price; if it differs from this, the order is cancelled with reason price_changed and nothing is charged',
          },
        },
      },
    },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' },
    paymentToken: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      description: '`tok_decline` is declined by the simulated gateway',
    },
    shippingAddress: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'line1', 'city', 'postalCode', 'country'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        line1: { type: 'string', minLength: 1, maxLength: 200 },
        line2: { type: 'string', maxLength: 200 },
        city: { type: 'string', minLength: 1, maxLength: 100 },
        postalCode: { type: 'string', minLength: 1, maxLength: 20 },
        country: {
          type: 'string',
          pattern: '^[A-Z]{2}$',
          description: 'ISO 3166-1 alpha-2; `AQ` is served by no carrier',
        },
      },
    },
    contact,
  },
} as const;

export const orderIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: uuid },
} as const;

export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const listOrdersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: orderStatuses },
    fulfilment: {
      type: 'string',
      enum: fulfilmentStatuses,
      description: 'Only COMPLETED orders whose parcel is here',
    },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

export const acceptedOrder = {
  type: 'object',
  required: ['orderId', 'status'],
  properties: { orderId: uuid, status: { type: 'string', enum: orderStatuses } },
} as const;

const historyEntry = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    kind: { type: 'string' },
    type: { type: 'string' },
    messageId: { type: ['string', 'null'] },
    fromState: { type: ['string', 'null'] },
    toState: { type: ['string', 'null'] },
    detail: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

const orderItem = {
  type: 'object',
  properties: {
    sku: { type: 'string' },
    quantity: { type: 'integer' },
    unitPrice: {
      type: ['integer', 'null'],
      description: 'catalog price of one unit (minor units) once inventory reserved the stock; null before',
    },
    expectedUnitPrice: {
      type: ['integer', 'null'],
      description: 'the unit price the customer sent, if any',
    },
  },
} as const;

export const orderSummary = {
  type: 'object',
  properties: {
    orderId: uuid,
    status: { type: 'string', enum: orderStatuses },
    cancelReason: { type: 'string', enum: cancelReasons },
    customerId: { type: 'string' },
    total: {
      type: ['integer', 'null'],
      description: 'catalog total in minor units once inventory reserved the stock; null before',
    },
    currency: { type: 'string' },
    sagaState: { type: 'string' },
    fulfilment: {
      type: ['object', 'null'],
      description:
        "Where the parcel is once shipping is scheduled (the carrier's times); null before, and for a cancelled or failed order",
      properties: {
        status: { type: 'string', enum: fulfilmentStatuses },
        pickedUpAt: { type: ['string', 'null'], format: 'date-time' },
        deliveredAt: { type: ['string', 'null'], format: 'date-time' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const orderView = {
  type: 'object',
  properties: {
    ...orderSummary.properties,
    items: { type: 'array', items: orderItem },
    shippingAddress: { type: 'object', additionalProperties: true },
    contact: {
      type: ['object', 'null'],
      properties: { email: { type: 'string' }, phone: { type: ['string', 'null'] } },
      description: 'the contact given with the order; null: none',
    },
    saga: {
      type: 'object',
      properties: {
        state: { type: 'string' },
        version: { type: 'integer' },
        deadlineAt: { type: ['string', 'null'], format: 'date-time' },
        failure: { type: ['object', 'null'], additionalProperties: true },
        history: { type: 'array', items: historyEntry },
      },
    },
  },
} as const;

export const orderList = {
  type: 'object',
  properties: { orders: { type: 'array', items: orderSummary }, nextCursor: { type: ['string', 'null'] } },
} as const;
