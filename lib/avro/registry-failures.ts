/**
 * What an error of the schema registry client means: HTTP answer, network failure or a local
 * refusal, transient or not, and the SchemaRegistrationError a registration failure becomes.
 */
import { SchemaRegistrationError } from './errors.ts';

export interface RegistryFailure {
  kind: 'http' | 'network' | 'local';
  /** HTTP status of the registry's answer (none for a network failure or a local error). */
  status?: number;
  /** The registry's message without the client id prefix, or the error's own. */
  message: string;
}

/**
 * Classifies an error of the registry client. HTTP errors are mappersmith ResponseErrors with
 * `status` and the message "<clientId> - <registry message>". The client reports a network
 * failure (connection refused, reset, DNS…) as a fake HTTP 400 whose body is the error text,
 * rendered as "Error, status 400: <text>" (a real 400 of the registry carries a JSON message).
 * Anything else was thrown locally (e.g. avsc could not parse a schema). The client drops the
 * network error itself (its errno code), so the one text read here is the client's own rendering of
 * a 400 without a JSON body; neither a payload (which gives only the 4-byte schema id) nor a
 * registry answer (JSON, whose `message` the client shows instead) can produce it.
 */
export function registryFailure(err: unknown): RegistryFailure {
  const raw = err instanceof Error ? err.message : String(err);
  const status =
    typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
      ? err.status
      : undefined;
  if (status === undefined) return { kind: 'local', message: raw };
  const message = raw.replace(/^[^ ]* - /, '');
  const network = /^Error, status 400: (.*)$/s.exec(message);
  if (status === 400 && network) return { kind: 'network', message: `registry unreachable: ${network[1]}` };
  return { kind: 'http', status, message };
}

/** True when asking again later may succeed: network failure, 5xx, 408 or 429. */
export const isTransient = (f: RegistryFailure): boolean =>
  f.kind === 'network' ||
  (f.status !== undefined && (f.status >= 500 || f.status === 408 || f.status === 429));

/** Wraps an error of `register()` into a SchemaRegistrationError. */
export function toRegistrationError(subject: string, err: unknown): SchemaRegistrationError {
  if (err instanceof SchemaRegistrationError) return err;
  const failure = registryFailure(err);
  const { status, message } = failure;
  const details = { cause: err, ...(status === undefined ? {} : { status }) };
  if (err instanceof Error && err.name === 'ConfluentSchemaRegistryCompatibilityError') {
    return new SchemaRegistrationError(
      'compatibility_mismatch',
      subject,
      `${message}; our subjects need BACKWARD compatibility or stricter`,
      details,
    );
  }
  if (isTransient(failure))
    return new SchemaRegistrationError('registry_unavailable', subject, message, details);
  // a schema the client itself refuses (avsc cannot parse it, no name…) never reaches the registry
  if (failure.kind === 'local' || status === 422) {
    return new SchemaRegistrationError('invalid_schema', subject, message, details);
  }
  if (status === 409) return new SchemaRegistrationError('incompatible', subject, message, details);
  return new SchemaRegistrationError('registry_error', subject, message, details);
}
