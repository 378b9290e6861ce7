/**
 * A real SMTP server that keeps every mail it receives (in memory, the last `keep`), for the local
 * stack and the tests: what the notification service sends, parsed with mailparser. Recipients whose
 * local part starts with `rejected` are refused with 550 (a permanent failure, to try that path).
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: Record<string, string>;
  receivedAt: string;
}

export interface MailSink {
  readonly port: number;
  messages(): readonly ReceivedMail[];
  clear(): void;
  close(): Promise<void>;
}

/** A recipient the sink refuses for good (SMTP 550). */
export const isRejectedRecipient = (address: string): boolean => /^rejected[^@]*@/i.test(address);

export async function startMailSink(options: {
  host?: string;
  port: number;
  keep?: number;
}): Promise<MailSink> {
  const keep = options.keep ?? 10_000;
  let received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    banner: 'order saga mail sink',
    logger: false,
    onRcptTo(address, _session, callback) {
      if (isRejectedRecipient(address.address)) {
        const error = Object.assign(new Error(`mailbox ${address.address} unavailable`), {
          responseCode: 550,
        });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const headers: Record<string, string> = {};
          for (const [key, value] of mail.headers) if (typeof value === 'string') headers[key] = value;
          received.push({
            messageId: mail.messageId ?? null,
            from: mail.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            headers,
            receivedAt: new Date().toISOString(),
          });
          if (received.length > keep) received = received.slice(-keep);
          callback();
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: options.port,
    messages: () => received,
    clear: () => {
      received = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
