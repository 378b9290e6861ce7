import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { SchemaRegistrationError } from '../avro/errors.ts';
import { isRegistryUnavailable, retryStartupStep } from './startup-retry.ts';

// kafkajs's type declarations leave the errors' options out: the constructors as the runtime has them
type ErrorClass = new (error: unknown, options?: { cause?: unknown }) => Error;
const KafkaJSNonRetriableError = kafkajs.KafkaJSNonRetriableError as unknown as ErrorClass;
const KafkaJSProtocolError = kafkajs.KafkaJSProtocolError as unknown as ErrorClass;
const KafkaJSSASLAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as ErrorClass;

/** A clock that only moves when the step sleeps. */
function fakeTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

/** What kafkajs throws after its own retries when a partition has no leader (a broker down, an election). */
const leaderElection = () => {
  const protocol = new KafkaJSProtocolError(
    Object.assign(
      new Error(
        'There is no leader for this topic-partition as we are in the middle of a leadership election',
      ),
      {
        type: 'LEADER_NOT_AVAILABLE',
        code: 5,
        retriable: true,
      },
    ) as never,
  );
  // as kafkajs's retrier throws it once its own retries are spent: not retriable, caused by a retriable one
  return new KafkaJSNonRetriableError(protocol, { cause: protocol });
};

describe('startup steps wait out a broker outage (pure)', () => {
  test('a leader election is waited out: the step is tried again until it succeeds', async () => {
    const time = fakeTime();
    let calls = 0;
    const retried: number[] = [];
    const result = await retryStartupStep(
      async () => {
        calls++;
        if (calls < 4) throw leaderElection();
        return 'joined';
      },
      { timeoutMs: 60_000, pauseMs: 2_000, ...time, onRetry: (_e, attempt) => retried.push(attempt) },
    );
    assert.equal(result, 'joined');
    assert.deepEqual(retried, [1, 2, 3]);
    assert.equal(time.now(), 6_000);
  });

  test('not past the deadline: the last transient error is thrown', async () => {
    const time = fakeTime();
    let calls = 0;
    await assert.rejects(
      retryStartupStep(
        async () => {
          calls++;
          throw leaderElection();
        },
        { timeoutMs: 10_000, pauseMs: 2_000, ...time },
      ),
      KafkaJSNonRetriableError,
    );
    assert.equal(calls, 6, 'at 0, 2, 4, 6, 8 and 10 s: none starts after the deadline');
  });

  test('anything else (a wrong password) is thrown at once', async () => {
    let calls = 0;
    await assert.rejects(
      retryStartupStep(
        async () => {
          calls++;
          throw new KafkaJSSASLAuthenticationError('SASL SCRAM SHA512 authentication failed');
        },
        { timeoutMs: 60_000, ...fakeTime() },
      ),
      KafkaJSSASLAuthenticationError,
    );
    assert.equal(calls, 1);
  });

  test('the registry: away is waited out, a refused schema is not', async () => {
    const away = new SchemaRegistrationError('registry_unavailable', 's', 'connect ECONNREFUSED');
    const refused = new SchemaRegistrationError('incompatible', 's', 'not backward compatible', {
      status: 409,
    });
    assert.equal(isRegistryUnavailable(away), true);
    assert.equal(isRegistryUnavailable(refused), false);
    let calls = 0;
    const registered = await retryStartupStep(
      async () => {
        calls++;
        if (calls < 3) throw away;
        return 21;
      },
      { timeoutMs: 60_000, isTransient: isRegistryUnavailable, ...fakeTime() },
    );
    assert.equal(registered, 21);
    await assert.rejects(
      retryStartupStep(
        async () => {
          throw refused;
        },
        { timeoutMs: 60_000, isTransient: isRegistryUnavailable, ...fakeTime() },
      ),
      SchemaRegistrationError,
    );
  });
});
