import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readCommonConfig } from './common-config.ts';
import { ConfigError, EnvReader } from './env.ts';

const read = (env: Record<string, string>) => {
  const reader = new EnvReader({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT', ...env });
  const config = readCommonConfig(reader);
  reader.done();
  return config;
};

describe('common configuration: trace context headers', () => {
  test('off by default; on with tracing on, or with TRACE_CONTEXT_HEADERS=always', () => {
    assert.equal(read({}).traceContextHeaders, false);
    assert.equal(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).traceContextHeaders, true);
    assert.equal(read({ TRACE_CONTEXT_HEADERS: 'always' }).traceContextHeaders, true);
    assert.equal(read({ TRACE_CONTEXT_HEADERS: 'tracing' }).traceContextHeaders, false);
  });

  test('another value is refused, naming the variable', () => {
    assert.throws(
      () => read({ TRACE_CONTEXT_HEADERS: 'yes' }),
      (error: unknown) => error instanceof ConfigError && /TRACE_CONTEXT_HEADERS/.test(error.message),
    );
  });
});
