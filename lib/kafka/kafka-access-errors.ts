import { type KafkaSecurity, kafkaPrincipalOf } from './kafka-security.ts';

/** What a client was doing when Kafka refused it, so the message can name the ACL that is missing. */
export interface KafkaAccessContext {
  operation: 'READ' | 'WRITE';
  topics: readonly string[];
  group?: string;
}

/** Kafka refused a client its credentials or an ACL: the message says which (see below). */
export class KafkaAccessError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'KafkaAccessError';
  }
}

/**
 * Runs `work`; when it fails because Kafka refused the credentials or an ACL, throws a
 * KafkaAccessError with the one-line description instead (any other error is rethrown as is).
 */
export async function explainKafkaAccess<T>(
  work: () => Promise<T>,
  security: KafkaSecurity,
  context?: KafkaAccessContext,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const problem = describeKafkaAccessError(error, security, context);
    if (problem === null) throw error;
    throw new KafkaAccessError(problem, { cause: error });
  }
}

/** kafkajs wraps errors (retries exceeded, broker pool): the chain from the outermost one inwards. */
function* errorChain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (current === undefined || current === null || seen.has(current)) continue;
    seen.add(current);
    yield current;
    if (typeof current === 'object') {
      const { cause, originalError, errors } = current as {
        cause?: unknown;
        originalError?: unknown;
        errors?: unknown;
      };
      pending.push(cause, originalError, ...(Array.isArray(errors) ? errors : []));
    }
  }
}

const fieldOf = (error: unknown, field: 'name' | 'type'): string | undefined => {
  const value =
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
};

const topicsPhrase = (topics: readonly string[]): string => {
  const quoted = topics.map((t) => `'${t}'`).join(', ');
  return topics.length === 1 ? `topic ${quoted}` : `one of the topics ${quoted}`;
};

/**
 * One clear line when Kafka refused a client because of its credentials or its ACLs, naming the
 * principal and what it lacks (null for any other error). E.g. "Kafka refused SASL authentication
 * for user 'inventory' (KAFKA_USERNAME/KAFKA_PASSWORD)", "Kafka ACL: principal 'inventory' may not
 * WRITE topic 'payment-events'".
 */
export function describeKafkaAccessError(
  error: unknown,
  security: KafkaSecurity,
  context?: KafkaAccessContext,
): string | null {
  const principal = kafkaPrincipalOf(security);
  for (const cause of errorChain(error)) {
    const name = fieldOf(cause, 'name');
    const type = fieldOf(cause, 'type');
    if (name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED') {
      const mechanism = security.sasl?.mechanism ?? 'none';
      return `Kafka refused SASL authentication for user '${principal}' (KAFKA_USERNAME/KAFKA_PASSWORD, mechanism ${mechanism}): ${(cause as Error).message}`;
    }
    if (type === 'UNSUPPORTED_SASL_MECHANISM') {
      return `Kafka does not accept SASL mechanism '${security.sasl?.mechanism}' (KAFKA_SASL_MECHANISM) for user '${principal}'`;
    }
    if (type === 'TOPIC_AUTHORIZATION_FAILED') {
      const what =
        context === undefined
          ? 'use a topic it asked for'
          : `${context.operation} ${topicsPhrase(context.topics)}`;
      return `Kafka ACL: principal '${principal}' may not ${what} (TOPIC_AUTHORIZATION_FAILED; ACLs: lib/kafka/acls.ts)`;
    }
    if (type === 'GROUP_AUTHORIZATION_FAILED') {
      const group = context?.group === undefined ? 'its consumer group' : `consumer group '${context.group}'`;
      return `Kafka ACL: principal '${principal}' may not READ ${group} (GROUP_AUTHORIZATION_FAILED; ACLs: lib/kafka/acls.ts)`;
    }
    if (security.sasl === null && name === 'KafkaJSConnectionClosedError') {
      return `Kafka closed the connection of a client without SASL credentials (KAFKA_SECURITY_PROTOCOL=PLAINTEXT): if the listener requires SASL, set KAFKA_USERNAME/KAFKA_PASSWORD; ${(cause as Error).message}`;
    }
    if (type === 'CLUSTER_AUTHORIZATION_FAILED') {
      return `Kafka ACL: principal '${principal}' may not perform a cluster operation (CLUSTER_AUTHORIZATION_FAILED)`;
    }
  }
  return null;
}
