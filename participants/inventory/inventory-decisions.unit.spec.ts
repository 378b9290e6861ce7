import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StockItem } from '../../lib/contracts/generated.ts';
import {
  aggregateItems,
  decideInventory,
  type InventoryCommand,
  type InventoryDecision,
  type InventoryState,
  type Reservation,
} from './inventory-decisions.ts';

const orderId = '7f1c0f5e-7d0e-4a8e-9b7c-1f6f0c2d3e4a';
const reservationId = 'a3b2c1d0-1111-4222-8333-444455556666';
const options = { newReservationId: reservationId, decline: false };

const reserve = (items: StockItem[]): InventoryCommand => ({
  type: 'ReserveStock',
  payload: { orderId, items },
});
const release: InventoryCommand = { type: 'ReleaseStock', payload: { orderId, reason: 'payment declined' } };
const stock = (levels: Record<string, number>): Map<string, number> => new Map(Object.entries(levels));
const catalogPrices: Record<string, number> = {
  'SKU-001': 1999,
  'SKU-002': 2999,
  'SKU-003': 2500,
  'SKU-LTD': 4900,
};
/** The stock levels given, and the catalog prices of those SKUs. */
const state = (reservation: Reservation | null, levels: Record<string, number> = {}): InventoryState => ({
  reservation,
  available: stock(levels),
  prices: new Map(
    Object.keys(levels).flatMap((sku) => {
      const unitPrice = catalogPrices[sku];
      return unitPrice === undefined ? [] : [[sku, { unitPrice, currency: 'EUR' }] as const];
    }),
  ),
});

const reservedRow: Reservation = {
  orderId,
  reservationId,
  status: 'RESERVED',
  items: [
    { sku: 'SKU-001', quantity: 2, unitPrice: 1999, currency: 'EUR' },
    { sku: 'SKU-002', quantity: 1, unitPrice: 2999, currency: 'EUR' },
  ],
  rejection: null,
};
const reservedLines = reservedRow.items;
const tombstone: Reservation = {
  orderId,
  reservationId: null,
  status: 'RELEASED',
  items: [],
  rejection: null,
};

function replyOf(decision: InventoryDecision) {
  assert.equal(decision.kind, 'reply');
  return decision.kind === 'reply' ? decision : assert.fail('not a reply');
}

describe('inventory decisions: ReserveStock', () => {
  it("given enough stock, when reserving, then every line is reserved and StockReserved carries the reservation id and the lines' catalog prices", () => {
    const decision = replyOf(
      decideInventory(
        reserve([
          { sku: 'SKU-002', quantity: 1 },
          { sku: 'SKU-001', quantity: 2 },
        ]),
        state(null, { 'SKU-001': 5, 'SKU-002': 1 }),
        options,
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockReserved',
      payload: { orderId, reservationId, lines: reservedLines },
    });
    assert.deepEqual(decision.change, {
      kind: 'reserve',
      reservation: reservedRow,
      stock: [
        { sku: 'SKU-001', delta: -2 },
        { sku: 'SKU-002', delta: -1 },
      ],
    });
    assert.equal(decision.warning, null);
  });

  it('given duplicate SKUs, when reserving, then their quantities are summed before checking stock', () => {
    const items = [
      { sku: 'SKU-001', quantity: 2 },
      { sku: 'SKU-001', quantity: 2 },
    ];
    assert.deepEqual(aggregateItems(items), [{ sku: 'SKU-001', quantity: 4 }]);
    const short = replyOf(decideInventory(reserve(items), state(null, { 'SKU-001': 3 }), options));
    assert.deepEqual(short.reply, {
      type: 'StockRejected',
      payload: {
        orderId,
        reason: 'out_of_stock',
        shortages: [{ sku: 'SKU-001', requested: 4, available: 3 }],
      },
    });
    const enough = replyOf(decideInventory(reserve(items), state(null, { 'SKU-001': 4 }), options));
    assert.equal(enough.change.kind, 'reserve');
    if (enough.change.kind === 'reserve')
      assert.deepEqual(enough.change.stock, [{ sku: 'SKU-001', delta: -4 }]);
  });

  it('given one line short, when reserving, then nothing is reserved (all or nothing) and the rejection is recorded', () => {
    const decision = replyOf(
      decideInventory(
        reserve([
          { sku: 'SKU-001', quantity: 1 },
          { sku: 'SKU-LTD', quantity: 6 },
        ]),
        state(null, { 'SKU-001': 100, 'SKU-LTD': 5 }),
        options,
      ),
    );
    const shortages = [{ sku: 'SKU-LTD', requested: 6, available: 5 }];
    assert.deepEqual(decision.reply, {
      type: 'StockRejected',
      payload: { orderId, reason: 'out_of_stock', shortages },
    });
    assert.deepEqual(decision.change, {
      kind: 'reject',
      reservation: {
        orderId,
        reservationId: null,
        status: 'REJECTED',
        items: [
          { sku: 'SKU-001', quantity: 1 },
          { sku: 'SKU-LTD', quantity: 6 },
        ],
        rejection: { reason: 'out_of_stock', shortages },
      },
    });
  });

  it('given a SKU not in the catalog, when reserving, then StockRejected unknown_sku lists it with 0 available', () => {
    const decision = replyOf(
      decideInventory(
        reserve([
          { sku: 'NOPE-1', quantity: 1 },
          { sku: 'SKU-001', quantity: 1 },
        ]),
        state(null, { 'SKU-001': 100 }),
        options,
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockRejected',
      payload: { orderId, reason: 'unknown_sku', shortages: [{ sku: 'NOPE-1', requested: 1, available: 0 }] },
    });
    assert.equal(decision.change.kind, 'reject');
  });

  it('given the decline fault, when reserving, then StockRejected fault_injected with no shortages is recorded', () => {
    const decision = replyOf(
      decideInventory(reserve([{ sku: 'SKU-001', quantity: 1 }]), state(null, { 'SKU-001': 100 }), {
        ...options,
        decline: true,
      }),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockRejected',
      payload: { orderId, reason: 'fault_injected', shortages: [] },
    });
    assert.equal(decision.change.kind, 'reject');
  });

  it('given a reservation already held, when the same order is reserved again, then the same StockReserved and no change', () => {
    const decision = replyOf(
      decideInventory(reserve([{ sku: 'SKU-001', quantity: 2 }]), state(reservedRow, { 'SKU-001': 0 }), {
        newReservationId: 'ffffffff-ffff-4fff-8fff-ffffffffffff',
        decline: true,
      }),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockReserved',
      payload: { orderId, reservationId, lines: reservedLines },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a reservation held from before prices were kept, when reserved again, then StockReserved has no lines (the order cannot be priced)', () => {
    const legacy: Reservation = { ...reservedRow, items: [{ sku: 'SKU-001', quantity: 2 }] };
    const decision = replyOf(
      decideInventory(reserve([{ sku: 'SKU-001', quantity: 2 }]), state(legacy), options),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockReserved',
      payload: { orderId, reservationId, lines: [] },
    });
  });

  it('given a SKU in stock without a catalog price, when reserving, then it is rejected as unknown_sku', () => {
    const decision = replyOf(
      decideInventory(
        reserve([{ sku: 'SKU-NOPRICE', quantity: 1 }]),
        state(null, { 'SKU-NOPRICE': 3 }),
        options,
      ),
    );
    assert.equal(decision.reply.type, 'StockRejected');
    assert.equal(decision.reply.type === 'StockRejected' && decision.reply.payload.reason, 'unknown_sku');
  });

  it('given a recorded rejection, when the same order is reserved again, then the first answer is repeated, even with stock now', () => {
    const shortages = [{ sku: 'SKU-LTD', requested: 6, available: 5 }];
    const rejected: Reservation = {
      orderId,
      reservationId: null,
      status: 'REJECTED',
      items: [{ sku: 'SKU-LTD', quantity: 6 }],
      rejection: { reason: 'out_of_stock', shortages },
    };
    const decision = replyOf(
      decideInventory(
        reserve([{ sku: 'SKU-LTD', quantity: 6 }]),
        state(rejected, { 'SKU-LTD': 50 }),
        options,
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockRejected',
      payload: { orderId, reason: 'out_of_stock', shortages },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a release tombstone, when a late ReserveStock arrives, then StockRejected out_of_stock, empty shortages, a warning, no change', () => {
    const decision = replyOf(
      decideInventory(
        reserve([{ sku: 'SKU-001', quantity: 1 }]),
        state(tombstone, { 'SKU-001': 100 }),
        options,
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockRejected',
      payload: { orderId, reason: 'out_of_stock', shortages: [] },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
    assert.match(decision.warning ?? '', /tombstone/);
  });

  it('given a released reservation, when ReserveStock arrives again, then nothing is reserved again and it is rejected with a warning', () => {
    const released: Reservation = { ...reservedRow, status: 'RELEASED' };
    const decision = replyOf(
      decideInventory(
        reserve([{ sku: 'SKU-001', quantity: 2 }]),
        state(released, { 'SKU-001': 100 }),
        options,
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'StockRejected',
      payload: { orderId, reason: 'out_of_stock', shortages: [] },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
    assert.match(decision.warning ?? '', /already released|was released/);
  });

  it('given a non-positive quantity or no lines, when reserving, then the command is invalid', () => {
    for (const items of [
      [{ sku: 'SKU-001', quantity: 0 }],
      [{ sku: 'SKU-001', quantity: -3 }],
      [{ sku: ' ', quantity: 1 }],
      [],
    ]) {
      const decision = decideInventory(reserve(items), state(null, { 'SKU-001': 100 }), options);
      assert.equal(decision.kind, 'invalid', JSON.stringify(items));
    }
  });
});

describe('inventory decisions: ReleaseStock', () => {
  it('given a held reservation, when releasing, then its units go back and StockReleased released=true', () => {
    const decision = replyOf(decideInventory(release, state(reservedRow), options));
    assert.deepEqual(decision.reply, { type: 'StockReleased', payload: { orderId, released: true } });
    assert.deepEqual(decision.change, {
      kind: 'release',
      reservation: { ...reservedRow, status: 'RELEASED' },
      stock: [
        { sku: 'SKU-001', delta: 2 },
        { sku: 'SKU-002', delta: 1 },
      ],
    });
  });

  it('given a released reservation, when releasing again, then the same answer (released=true) and nothing goes back twice', () => {
    const decision = replyOf(
      decideInventory(release, state({ ...reservedRow, status: 'RELEASED' }), options),
    );
    assert.deepEqual(decision.reply, { type: 'StockReleased', payload: { orderId, released: true } });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given nothing reserved, when releasing, then released=false and a RELEASED tombstone is written', () => {
    const decision = replyOf(decideInventory(release, state(null), options));
    assert.deepEqual(decision.reply, { type: 'StockReleased', payload: { orderId, released: false } });
    assert.deepEqual(decision.change, { kind: 'tombstone', reservation: tombstone });
  });

  it('given a tombstone, when releasing again, then released=false and no change', () => {
    const decision = replyOf(decideInventory(release, state(tombstone), options));
    assert.deepEqual(decision.reply, { type: 'StockReleased', payload: { orderId, released: false } });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a rejected reservation, when releasing, then released=false and the REJECTED row is kept', () => {
    const rejected: Reservation = {
      orderId,
      reservationId: null,
      status: 'REJECTED',
      items: [{ sku: 'SKU-LTD', quantity: 6 }],
      rejection: { reason: 'out_of_stock', shortages: [] },
    };
    const decision = replyOf(decideInventory(release, state(rejected), options));
    assert.deepEqual(decision.reply, { type: 'StockReleased', payload: { orderId, released: false } });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given the decline fault, when releasing, then the compensation is not affected', () => {
    const decision = replyOf(decideInventory(release, state(reservedRow), { ...options, decline: true }));
    assert.equal(decision.change.kind, 'release');
  });
});
