import type { Logger } from 'pino';
import { Topics } from '../../lib/kafka/topics.ts';
import { checkReply, type ParticipantEventTopics, type ReplyType } from '../saga/reply-check.ts';
import type { PersistedSaga, SagaEvent } from '../saga/saga-types.ts';
import type { HistoryRow } from './saga-store.ts';

/** Where a participant reply came from (the consumer's topic and the `causation-id` header). */
export interface ReplyOrigin {
  topic: string;
  causationId: string | null;
}

/** What the gate records of a reply it did not let through. */
export interface RejectedReply {
  orderId: string;
  type: string;
  messageId: string | null;
  detail: Record<string, unknown> | undefined;
}

/**
 * The runner's side of the reply check (orchestrator/saga/reply-check.ts): counts the replies it
 * turns away, logs one warning for each and gives their `reply_rejected` history row.
 */
export class ReplyGate {
  /** Replies not applied because they did not answer the saga's current command. */
  rejected = 0;
  private readonly topics: ParticipantEventTopics;
  private readonly logger: Pick<Logger, 'warn'> | undefined;

  constructor({
    topics = Topics,
    logger,
  }: { topics?: ParticipantEventTopics; logger?: Pick<Logger, 'warn'> }) {
    this.topics = topics;
    this.logger = logger;
  }

  /** null when the reply may be applied to the saga; otherwise the history row recording why not. */
  refusal(
    saga: PersistedSaga,
    event: SagaEvent,
    origin: ReplyOrigin,
    reply: RejectedReply,
    at: Date,
  ): HistoryRow | null {
    const verdict = checkReply(saga, { type: event.type as ReplyType, ...origin }, this.topics);
    if (verdict.accepted) return null;
    this.rejected++;
    const { orderId, type, messageId } = reply;
    this.logger?.warn(
      { orderId, type, reason: verdict.reason, messageId, ...origin },
      'reply rejected: it does not answer the command of the saga step',
    );
    return {
      order_id: orderId,
      kind: 'reply_rejected',
      type,
      message_id: messageId,
      from_state: saga.value,
      to_state: saga.value,
      // The reply's own fields go under `reply`: a payload's `reason` (StockRejected, PaymentFailed…)
      // must not stand in for, or be overwritten by, the reason it was rejected.
      detail: { reason: verdict.reason, ...origin, reply: reply.detail ?? null },
      at,
    };
  }
}
