import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { EnvReader } from '../config/env.ts';

export const kafkaSecurityProtocols = ['SASL_PLAINTEXT', 'SASL_SSL', 'PLAINTEXT', 'SSL'] as const;
export type KafkaSecurityProtocol = (typeof kafkaSecurityProtocols)[number];

export const kafkaSaslMechanisms = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
export type KafkaSaslMechanism = (typeof kafkaSaslMechanisms)[number];

export interface KafkaSaslCredentials {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

/** How a client authenticates to the brokers and whether the connection is TLS. */
export interface KafkaSecurity {
  /** null only when KAFKA_SECURITY_PROTOCOL is PLAINTEXT or SSL, set explicitly. */
  sasl: KafkaSaslCredentials | null;
  /** null: no TLS; `ca` null: the system's trusted CAs. */
  tls: { ca: string | null } | null;
}

/** What the brokers are reached with: every Kafka client the project creates takes one. */
export interface KafkaConnection {
  brokers: readonly string[];
  security: KafkaSecurity;
}

/**
 * KAFKA_SECURITY_PROTOCOL (SASL_PLAINTEXT; SASL_SSL when KAFKA_SSL=true), KAFKA_SASL_MECHANISM
 * (scram-sha-512), KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_SSL (false), KAFKA_SSL_CA_FILE (PEM; TLS
 * with the system's CAs when unset). Secure by default: without credentials a client refuses to
 * start unless KAFKA_SECURITY_PROTOCOL=PLAINTEXT (or SSL) says so explicitly.
 */
export function readKafkaSecurity(reader: EnvReader): KafkaSecurity {
  const sslFlag = reader.oneOf('KAFKA_SSL', 'false', ['true', 'false'] as const) === 'true';
  const protocol = reader.oneOf<KafkaSecurityProtocol>(
    'KAFKA_SECURITY_PROTOCOL',
    sslFlag ? 'SASL_SSL' : 'SASL_PLAINTEXT',
    kafkaSecurityProtocols,
  );
  const mechanism = reader.oneOf<KafkaSaslMechanism>(
    'KAFKA_SASL_MECHANISM',
    'scram-sha-512',
    kafkaSaslMechanisms,
  );
  const username = reader.string('KAFKA_USERNAME', '');
  const password = reader.string('KAFKA_PASSWORD', '');
  const caFile = reader.string('KAFKA_SSL_CA_FILE', '');

  const tlsWanted = protocol === 'SSL' || protocol === 'SASL_SSL';
  const sslSetting = reader.string('KAFKA_SSL', '');
  if (sslSetting !== '' && sslFlag !== tlsWanted) {
    reader.problem(`KAFKA_SSL=${sslSetting} contradicts KAFKA_SECURITY_PROTOCOL=${protocol}`);
  }
  let ca: string | null = null;
  if (caFile !== '') {
    if (!tlsWanted) reader.problem('KAFKA_SSL_CA_FILE is set but TLS is off: set KAFKA_SSL=true');
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      reader.problem(
        `KAFKA_SSL_CA_FILE=${JSON.stringify(caFile)} cannot be read: ${(error as Error).message}`,
      );
    }
  }
  const tls = tlsWanted ? { ca } : null;

  if (protocol === 'PLAINTEXT' || protocol === 'SSL') {
    if (username !== '' || password !== '') {
      reader.problem(
        `KAFKA_USERNAME/KAFKA_PASSWORD are set but KAFKA_SECURITY_PROTOCOL=${protocol} sends no credentials`,
      );
    }
    return { sasl: null, tls };
  }
  if (username === '' || password === '') {
    const missing = [username === '' ? 'KAFKA_USERNAME' : null, password === '' ? 'KAFKA_PASSWORD' : null]
      .filter((name) => name !== null)
      .join(' and ');
    reader.problem(
      `${missing} must be set: Kafka clients authenticate with SASL (${protocol}); set KAFKA_SECURITY_PROTOCOL=PLAINTEXT explicitly for a broker without authentication`,
    );
  }
  return { sasl: { mechanism, username, password }, tls };
}

/** The kafkajs options of a security setting (spread into `new Kafka({...})`). */
export function kafkajsSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const { sasl, tls } = security;
  return {
    ...(sasl === null ? {} : { sasl: kafkajsSasl(sasl) }),
    ...(tls === null ? {} : { ssl: tls.ca === null ? true : { ca: [tls.ca] } }),
  };
}

const kafkajsSasl = ({ mechanism, username, password }: KafkaSaslCredentials): SASLOptions => {
  switch (mechanism) {
    case 'scram-sha-512':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'plain':
      return { mechanism, username, password };
    default: {
      const unknown: never = mechanism;
      throw new Error(`unknown SASL mechanism ${String(unknown)}`);
    }
  }
};

/** Who a connection authenticates as, for messages ('(no SASL)' without credentials). */
export const kafkaPrincipalOf = (security: KafkaSecurity): string =>
  security.sasl === null ? '(no SASL)' : security.sasl.username;
