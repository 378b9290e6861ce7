import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { perServiceEnv } from './service-env.ts';

describe('per-service environment: database login', () => {
  const previousState = process.env.ORDER_SAGA_STATE;
  let state: string;
  before(() => {
    state = mkdtempSync(join(tmpdir(), 'service-env-'));
    process.env.ORDER_SAGA_STATE = state;
  });
  after(() => {
    if (previousState === undefined) delete process.env.ORDER_SAGA_STATE;
    else process.env.ORDER_SAGA_STATE = previousState;
    rmSync(state, { recursive: true, force: true });
  });

  test("each service logs into the launcher's database as its own role, with its local secret", () => {
    const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/order_saga_chaos_x' };
    const urls = (['orchestrator', 'inventory', 'payment', 'shipping'] as const).map((name) => {
      const url = new URL(perServiceEnv(name, base).DATABASE_URL ?? '');
      assert.equal(url.username, `order_saga_${name}`);
      assert.equal(url.host, '127.0.0.1:5432');
      assert.equal(url.pathname, '/order_saga_chaos_x');
      const secret = readFileSync(join(state, 'secrets', `postgres-${name}`), 'utf8').trim();
      assert.equal(decodeURIComponent(url.password), secret, `${name}'s password is its local secret`);
      return url.toString();
    });
    assert.equal(new Set(urls).size, 4);
    assert.deepEqual(perServiceEnv('payment', base), perServiceEnv('payment', base), 'the secret is kept');
  });

  test('<NAME>_DB_PASSWORD replaces the local secret; <NAME>_DATABASE_URL replaces the whole URL', () => {
    const base = {
      DATABASE_URL: 'postgres://postgres@db:5432/order_saga',
      SHIPPING_DB_PASSWORD: 'from-env',
      INVENTORY_DATABASE_URL: 'postgres://someone:else@other:5433/inv',
    };
    const shipping = new URL(perServiceEnv('shipping', base).DATABASE_URL ?? '');
    assert.equal(shipping.username, 'order_saga_shipping');
    assert.equal(shipping.password, 'from-env');
    assert.equal(perServiceEnv('inventory', base).DATABASE_URL, 'postgres://someone:else@other:5433/inv');
  });
});
