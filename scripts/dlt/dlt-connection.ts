/**
 * Whom `npm run dlt` talks to Kafka as: the operator principal (lib/kafka/acls.ts,
 * `kafkaOperatorPrincipal`), never the broker's admin unless asked with --as-admin.
 */
import { kafkaAdminPrincipal, kafkaOperatorPrincipal } from '../../lib/kafka/acls.ts';
import type { KafkaConnection } from '../../lib/kafka/kafka-security.ts';
import { localKafkaAdminConnection, localKafkaOperatorConnection } from '../support/kafka-env.ts';
import { DltUsageError } from './replay-dead-letters.ts';

/**
 * The connection of `env`'s KAFKA_* variables: KAFKA_USERNAME as given, or the operator (password
 * KAFKA_PASSWORD, else the local stack's `kafka-operator` secret). KAFKA_USERNAME=admin is refused
 * with a DltUsageError unless `asAdmin`; with `asAdmin` and no KAFKA_USERNAME, the local stack's admin.
 */
export function dltKafkaConnection(env: NodeJS.ProcessEnv, asAdmin: boolean): KafkaConnection {
  if (asAdmin) return localKafkaAdminConnection(env);
  if ((env.KAFKA_USERNAME ?? '').trim() === kafkaAdminPrincipal)
    throw new DltUsageError(
      `npm run dlt runs as the Kafka principal '${kafkaOperatorPrincipal}', not as the broker's super user: KAFKA_USERNAME=${kafkaAdminPrincipal} is refused. ` +
        `Unset KAFKA_USERNAME (the local stack's operator) or set KAFKA_USERNAME=${kafkaOperatorPrincipal} and its KAFKA_PASSWORD; ` +
        'to run as the admin on purpose, add --as-admin (docs/operations.md, "Dead letters")',
    );
  return localKafkaOperatorConnection(env);
}
