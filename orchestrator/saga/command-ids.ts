import { nameBasedUuidSortedWith } from '../../lib/ids.ts';
import type { CommandName } from './saga-types.ts';

/**
 * A command's message id is derived from (order, command, operator round): every automatic re-send
 * of a step carries the id of its first send, so the participant's inbox deduplicates it, while an
 * operator retry (new round) is a new message. It starts with the order id's timestamp (see
 * nameBasedUuidSortedWith; orders placed before ids were time-ordered keep their version 5 ids).
 * Participants reply with it as causation id, which is how the saga recognises its replies.
 */
export const commandMessageId = (orderId: string, command: CommandName, round: number): string =>
  nameBasedUuidSortedWith(orderId, `${command}#${round}`);
