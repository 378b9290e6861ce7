import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardMetricsEnv } from './service-processes.ts';

describe('dashboardMetricsEnv', () => {
  it("points the orchestrator's dashboard at every service's /metrics on the launcher's ports", () => {
    assert.deepEqual(dashboardMetricsEnv('orchestrator', { INVENTORY_PORT: '4001' }), {
      DASHBOARD_METRICS_URLS:
        'orchestrator=http://127.0.0.1:3000/metrics,inventory=http://127.0.0.1:4001/metrics,' +
        'payment=http://127.0.0.1:3002/metrics,shipping=http://127.0.0.1:3003/metrics',
    });
  });

  it('leaves a variable the caller set, and the participants, alone', () => {
    assert.deepEqual(
      dashboardMetricsEnv('orchestrator', { DASHBOARD_METRICS_URLS: 'x=http://h/metrics' }),
      {},
    );
    assert.deepEqual(dashboardMetricsEnv('payment', {}), {});
  });
});
