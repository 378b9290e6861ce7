/**
 * What a nodemailer error means, by its type and code, never its text: an SMTP reply code 5xx is a
 * permanent refusal (e.g. 550, address rejected); 4xx, a connection, DNS, TLS or timeout failure,
 * or the server refusing our login, is transient (the same mail goes through later). Anything else
 * is not known to be either: the caller lets it fail as a handler error.
 */
export type SmtpFailure = 'permanent' | 'transient' | 'unknown';

const transientCodes = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EAUTH',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function classifySmtpError(error: unknown): SmtpFailure {
  if (!(error instanceof Error)) return 'unknown';
  const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
  if (typeof responseCode === 'number') {
    if (responseCode >= 500 && responseCode < 600) return 'permanent';
    if (responseCode >= 400 && responseCode < 500) return 'transient';
  }
  if (typeof code === 'string' && transientCodes.has(code)) return 'transient';
  return 'unknown';
}

/** A refusal as recorded: the reply code and the server's reply line. */
export function refusalOf(error: Error): string {
  const { responseCode, response } = error as { responseCode?: unknown; response?: unknown };
  const reply = typeof response === 'string' ? response : error.message;
  return typeof responseCode === 'number' && !reply.startsWith(String(responseCode))
    ? `${responseCode} ${reply}`
    : reply;
}
