/**
 * The SMS gateway of the local stack: `POST /sms` with `{to, text, messageId}` is recorded (202) and
 * listed by `GET /sms`. Numbers starting `+999` are refused with 422 (a permanent failure).
 */
export interface ReceivedSms {
  to: string;
  text: string;
  messageId: string | null;
  receivedAt: string;
}

export const isRejectedNumber = (to: string): boolean => to.startsWith('+999');

export class SmsSink {
  #received: ReceivedSms[] = [];
  readonly #keep: number;

  constructor(keep = 10_000) {
    this.#keep = keep;
  }

  /** Records a valid message; the problem with it otherwise (the gateway's 4xx). */
  accept(body: unknown): { accepted: true } | { accepted: false; status: number; problem: string } {
    const { to, text, messageId } = (body ?? {}) as Record<string, unknown>;
    if (typeof to !== 'string' || !/^\+[0-9]{8,15}$/.test(to)) {
      return { accepted: false, status: 400, problem: 'body.to must be an E.164 number' };
    }
    if (typeof text !== 'string' || text === '') {
      return { accepted: false, status: 400, problem: 'body.text must be a non-empty string' };
    }
    if (isRejectedNumber(to))
      return { accepted: false, status: 422, problem: `number ${to} cannot receive SMS` };
    this.#received.push({
      to,
      text,
      messageId: typeof messageId === 'string' ? messageId : null,
      receivedAt: new Date().toISOString(),
    });
    if (this.#received.length > this.#keep) this.#received = this.#received.slice(-this.#keep);
    return { accepted: true };
  }

  messages(): readonly ReceivedSms[] {
    return this.#received;
  }

  clear(): void {
    this.#received = [];
  }
}
