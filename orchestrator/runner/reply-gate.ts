import type { Logger } from 'pino';
import { Topics } from '../../lib/kafka/topics.ts';
import {
  checkReply,
  type ParticipantEventTopics,
  type ReplyOrigin,
  type ReplyType,
  rejectedReplyRow,
} from '../saga/reply-check.ts';
import type { EventCause, HistoryRow } from '../saga/saga-history.ts';
import type { PersistedSaga, SagaEvent } from '../saga/saga-types.ts';

/**
 * The runner's side of the reply check (orchestrator/saga/reply-check.ts, which decides): counts the
 * replies it turns away and logs one warning for each.
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
    cause: EventCause,
    at: Date,
  ): HistoryRow | null {
    const verdict = checkReply(saga, { type: event.type as ReplyType, ...origin }, this.topics);
    if (verdict.accepted) return null;
    this.rejected++;
    this.logger?.warn(
      {
        orderId: saga.context.orderId,
        type: cause.type,
        reason: verdict.reason,
        messageId: cause.messageId,
        ...origin,
      },
      'reply rejected: it does not answer the command of the saga step',
    );
    return rejectedReplyRow(saga, cause, origin, verdict.reason, at);
  }
}
