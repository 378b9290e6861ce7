/**
 * Registering one schema under one subject, with the compatibility policy our subjects need:
 * BACKWARD or stricter. The registry client (`@kafkajs/confluent-schema-registry`) plus what it
 * does not do itself: setting a subject without a rule of its own to BACKWARD, and surviving
 * sibling services that create the same subject's rule at the same time.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Logger } from 'pino';
import { SchemaRegistrationError } from './errors.ts';
import { toRegistrationError } from './registry-failures.ts';

/** The registry client plus what registration needs beyond it. */
export interface RegistryClient {
  registry: SchemaRegistry;
  /** Base URL of the Confluent-compatible API, without a trailing slash. */
  url: string;
  logger?: Logger | undefined;
}

export function createRegistryClient(registryUrl: string, logger?: Logger): RegistryClient {
  const url = registryUrl.replace(/\/+$/, '');
  return { registry: new SchemaRegistry({ host: url, clientId: 'ordersaga' }), url, logger };
}

/** Compatibility levels that check at least what BACKWARD checks. */
const atLeastBackward = new Set(['BACKWARD', 'BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE']);

/**
 * Registers one Avro schema under `subject` with BACKWARD compatibility; returns its id.
 * `schemaText` is sent as is: the registry matches content byte for byte, so other bytes for the
 * same schema would make a new version. Throws SchemaRegistrationError.
 *
 * The client refuses to register unless the subject's compatibility level equals the one it is
 * given. Apicurio reports `NONE` for a subject that has no rule of its own, even when the global
 * rule is BACKWARD (e.g. a subject created by another client, or when a crash hit between the
 * client's first registration and its PUT /config). Such a subject is set to BACKWARD; a subject
 * with a stricter level (FULL, …_TRANSITIVE) is registered under that level; any other level
 * (FORWARD…) is a `compatibility_mismatch` error.
 */
export async function registerSchema(
  client: RegistryClient,
  subject: string,
  schemaText: string,
): Promise<number> {
  const attempt = async (compatibility: COMPATIBILITY): Promise<number> => {
    // Sibling services starting together on a fresh registry race to create the subject's rule
    // (the client PUTs /config after a first registration): the loser is told the rule already
    // exists, which means the subject is set up — register again.
    for (let round = 1; ; round++) {
      try {
        const { id } = await client.registry.register(
          { type: SchemaType.AVRO, schema: schemaText },
          { subject, compatibility },
        );
        return id;
      } catch (err) {
        const ruleRace =
          err instanceof Error && /rule named 'COMPATIBILITY' already exists/.test(err.message);
        if (!ruleRace || round >= 3) throw err;
        client.logger?.debug(
          { subject },
          'compatibility rule created concurrently by another client; registering again',
        );
      }
    }
  };
  try {
    return await attempt(COMPATIBILITY.BACKWARD);
  } catch (err) {
    const level =
      err instanceof Error && err.name === 'ConfluentSchemaRegistryCompatibilityError'
        ? /!= (\w+)\)/.exec(err.message)?.[1]
        : undefined;
    if (level === undefined) throw toRegistrationError(subject, err);
    try {
      if (atLeastBackward.has(level)) return await attempt(level as COMPATIBILITY);
      if (level !== 'NONE') throw err;
      client.logger?.warn(
        { subject },
        'subject has no compatibility rule of its own (NONE): setting it to BACKWARD',
      );
      await setSubjectBackward(client, subject);
      return await attempt(COMPATIBILITY.BACKWARD);
    } catch (retryErr) {
      throw toRegistrationError(subject, retryErr);
    }
  }
}

/** PUT /config/<subject> BACKWARD. Throws SchemaRegistrationError. */
async function setSubjectBackward(client: RegistryClient, subject: string): Promise<void> {
  const res = await fetch(`${client.url}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: COMPATIBILITY.BACKWARD }),
  }).catch((cause: unknown) => {
    const message = `PUT /config failed: ${String(cause)}`;
    throw new SchemaRegistrationError('registry_unavailable', subject, message, { cause });
  });
  // 409 "rule already exists": another client (a sibling service starting at the same time on a
  // fresh registry) set the subject's rule between our read and our write; the registration that
  // follows checks that it is BACKWARD.
  if (!res.ok && res.status !== 409) {
    const body = await res.text().catch(() => '');
    throw new SchemaRegistrationError(
      res.status >= 500 ? 'registry_unavailable' : 'registry_error',
      subject,
      `PUT /config answered ${res.status}: ${body}`,
      { status: res.status },
    );
  }
}
