/**
 * Kafka credentials of the local stack (`npm run stack -- up` creates these SCRAM users, passwords in
 * `<state dir>/secrets/kafka-<principal>`): each service runs as its own principal, the tools (topic
 * and ACL creation, the tests' harness, chaos and bench set-up) as `admin`, `npm run dlt` as
 * `operator`. An environment that brings its own (KAFKA_USERNAME) or says there are none
 * (KAFKA_SECURITY_PROTOCOL=PLAINTEXT/SSL) keeps them.
 */
import { EnvReader } from '../../lib/config/env.ts';
import { kafkaAdminPrincipal, kafkaOperatorPrincipal } from '../../lib/kafka/acls.ts';
import { type KafkaConnection, readKafkaSecurity } from '../../lib/kafka/kafka-security.ts';
import { localSecret } from './local-secrets.ts';

const bringsOwnKafkaSecurity = (env: NodeJS.ProcessEnv): boolean =>
  (env.KAFKA_USERNAME ?? '').trim() !== '' ||
  ['PLAINTEXT', 'SSL'].includes((env.KAFKA_SECURITY_PROTOCOL ?? '').trim());

const credentialsOf = (principal: string): NodeJS.ProcessEnv => ({
  KAFKA_USERNAME: principal,
  KAFKA_PASSWORD: localSecret(`kafka-${principal}`),
});

/** A service's own principal (its name), unless `base` brings its own Kafka security. */
export const kafkaEnvFor = (name: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  bringsOwnKafkaSecurity(base) ? {} : credentialsOf(name);

/** The tools' principal (`admin`), unless `base` brings its own Kafka security. */
export const localKafkaAdminEnv = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv =>
  bringsOwnKafkaSecurity(base) ? {} : credentialsOf(kafkaAdminPrincipal);

/**
 * The operator's principal (`operator`; its password KAFKA_PASSWORD, else the local stack's
 * `kafka-operator` secret), unless `base` brings its own Kafka security.
 */
export const localKafkaOperatorEnv = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv =>
  bringsOwnKafkaSecurity(base)
    ? {}
    : {
        KAFKA_USERNAME: kafkaOperatorPrincipal,
        KAFKA_PASSWORD: base.KAFKA_PASSWORD?.trim() || localSecret(`kafka-${kafkaOperatorPrincipal}`),
      };

const kafkaVariables = [
  'KAFKA_BROKERS',
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_USERNAME',
  'KAFKA_PASSWORD',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
] as const;

/**
 * Brokers and credentials of the tools: KAFKA_BROKERS and the KAFKA_* security variables of `env`
 * (nothing else of it is read), or the local stack's admin. A ConfigError names what is wrong.
 */
export const localKafkaAdminConnection = (env: NodeJS.ProcessEnv = process.env): KafkaConnection =>
  connectionWith(env, localKafkaAdminEnv);

/** The same for `npm run dlt`: the local stack's operator unless `env` brings its own credentials. */
export const localKafkaOperatorConnection = (env: NodeJS.ProcessEnv = process.env): KafkaConnection =>
  connectionWith(env, localKafkaOperatorEnv);

function connectionWith(
  env: NodeJS.ProcessEnv,
  credentials: (kafkaEnv: NodeJS.ProcessEnv) => NodeJS.ProcessEnv,
): KafkaConnection {
  const kafkaEnv = Object.fromEntries(kafkaVariables.map((name) => [name, env[name]]));
  const reader = new EnvReader({ ...kafkaEnv, ...credentials(kafkaEnv) });
  const connection = {
    brokers: reader.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
    security: readKafkaSecurity(reader),
  };
  reader.done();
  return connection;
}
