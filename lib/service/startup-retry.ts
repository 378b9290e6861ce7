/**
 * A service's startup steps wait out an outage of what they need instead of ending the process: the
 * schema registry (registering the schemas) and the broker (the producer's connect, the consumer
 * joining its group). A service restarted while one of them is away would otherwise exit. kafkajs gives
 * up after its own retries (KafkaJSNonRetriableError around a retriable cause, e.g. "no leader for
 * this topic-partition as we are in the middle of a leadership election"), which on a loaded
 * cluster, or with a broker of three down, can last longer than those retries. Transient errors
 * (lib/messaging/transient-errors.ts: by error code and kafkajs's `retriable` flag) are tried again
 * until the deadline; any other error (a wrong password, a missing ACL) is thrown at once.
 */
import { SchemaRegistrationError } from '../avro/errors.ts';
import { isTransientError } from '../messaging/transient-errors.ts';

/** The registry did not answer (not: it refused a schema). */
export const isRegistryUnavailable = (error: unknown): boolean =>
  error instanceof SchemaRegistrationError && error.reason === 'registry_unavailable';

export interface StartupRetryOptions {
  /** How long the step may keep failing transiently before its last error is thrown. */
  timeoutMs: number;
  /** Pause between attempts. */
  pauseMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  isTransient?: (error: unknown) => boolean;
}

export async function retryStartupStep<T>(step: () => Promise<T>, options: StartupRetryOptions): Promise<T> {
  const {
    timeoutMs,
    pauseMs = 2_000,
    onRetry,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now = Date.now,
    isTransient = isTransientError,
  } = options;
  const deadline = now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isTransient(error) || now() + pauseMs > deadline) throw error;
      onRetry?.(error, attempt);
      await sleep(pauseMs);
    }
  }
}
