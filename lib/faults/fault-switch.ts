/**
 * Runtime fault injection for the participants (DESIGN.md "Simulating failures"): `POST /faults`
 * flips a participant into one of four modes for some of its commands, `DELETE /faults` restores it.
 *
 * - `decline`: forward commands are answered with the business failure, reason `fault_injected`
 *   (compensations are never declined: there is no business "no" to an undo);
 * - `fail`: the handler throws FaultInjectedError (an infrastructure-style failure: the consumer
 *   retries, then dead-letters the command; this is how a compensation "cannot complete");
 * - `silent`: matching commands are consumed and dropped before the inbox, never answered (the
 *   orchestrator's re-send, same message id, is handled normally once the fault is cleared);
 * - `slow`: the consumer waits `delayMs` before handling a batch holding a matching command.
 *
 * The switch is PER PROCESS: it lives in memory, is not shared between instances of the same
 * participant and is gone after a restart. With several instances, set it on each one (or run one).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clock, systemClock } from '../ids.ts';
import type { IncomingMessage, MessageConsumerOptions } from '../messaging/message-consumer.ts';

export const faultModes = ['decline', 'fail', 'silent', 'slow'] as const;
export type FaultMode = (typeof faultModes)[number];

export const defaultSlowDelayMs = 2_000;
export const maxSlowDelayMs = 60_000;

/** What to switch on: the mode, the commands it applies to, and (slow only) the delay. */
export interface FaultSettings {
  mode: FaultMode;
  commands: readonly string[];
  /** Only for `slow`; defaults to 2000 ms. */
  delayMs?: number;
}

/** The fault in force. */
export interface ActiveFault {
  mode: FaultMode;
  commands: readonly string[];
  /** Delay of `slow`; null for the other modes. */
  delayMs: number | null;
  /** When it was switched on (ISO 8601). */
  since: string;
}

/** Thrown by a handler for a command under the `fail` fault: retried, then dead-lettered. */
export class FaultInjectedError extends Error {
  override readonly name = 'FaultInjectedError';
  readonly command: string;
  constructor(command: string) {
    super(
      `injected fault: ${command} fails (mode 'fail' switched on with POST /faults; DELETE /faults restores)`,
    );
    this.command = command;
  }
}

/** In-memory fault switch of one participant process; see the module comment. */
export class FaultSwitch {
  #active: ActiveFault | null = null;
  /** Aborted when the fault changes, so a `slow` wait ends as soon as the fault is cleared. */
  #changed = new AbortController();
  readonly #clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  get active(): ActiveFault | null {
    return this.#active;
  }

  /** Switches a fault on (replacing any other). Throws RangeError for an invalid setting. */
  activate(settings: FaultSettings): ActiveFault {
    if (settings.commands.length === 0) throw new RangeError('a fault must name at least one command');
    if (settings.mode !== 'slow' && settings.delayMs !== undefined) {
      throw new RangeError(`delayMs only applies to mode 'slow', not '${settings.mode}'`);
    }
    const delayMs = settings.mode === 'slow' ? (settings.delayMs ?? defaultSlowDelayMs) : null;
    if (delayMs !== null && (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > maxSlowDelayMs)) {
      throw new RangeError(`delayMs must be an integer between 0 and ${maxSlowDelayMs}`);
    }
    this.#signalChange();
    this.#active = {
      mode: settings.mode,
      commands: [...new Set(settings.commands)],
      delayMs,
      since: this.#clock().toISOString(),
    };
    return this.#active;
  }

  /** Restores normal behaviour; returns the fault that was active, if any. */
  reset(): ActiveFault | null {
    const previous = this.#active;
    this.#active = null;
    this.#signalChange();
    return previous;
  }

  /** True when `mode` is in force for `command`. */
  matches(mode: FaultMode, command: string): boolean {
    return this.#active !== null && this.#active.mode === mode && this.#active.commands.includes(command);
  }

  /** `decline`: answer this forward command with the business failure (reason fault_injected). */
  declines(command: string): boolean {
    return this.matches('decline', command);
  }

  /** `fail`: throws FaultInjectedError for this command. */
  failIfInjected(command: string): void {
    if (this.matches('fail', command)) throw new FaultInjectedError(command);
  }

  /** `silent`: consumer hook — the message is dropped as if never received (not recorded in the inbox). */
  readonly drop = (message: IncomingMessage): boolean => this.matches('silent', message.record.type);

  /** `slow`: consumer hook — waits delayMs when the batch holds a matching command (ends early if the fault changes). */
  readonly beforeHandle = async (messages: readonly IncomingMessage[]): Promise<void> => {
    const delayMs = this.delayFor(messages.map((m) => m.record.type));
    if (delayMs === 0) return;
    const { signal } = this.#changed;
    await sleep(delayMs, undefined, { signal }).catch((error: unknown) => {
      if (!signal.aborted) throw error;
    });
  };

  /** How long `slow` holds a batch of these commands (0 when it does not apply). */
  delayFor(commands: readonly string[]): number {
    const fault = this.#active;
    if (fault?.mode !== 'slow' || fault.delayMs === null) return 0;
    return commands.some((c) => fault.commands.includes(c)) ? fault.delayMs : 0;
  }

  /** The consumer options to pass to runService (`consumerOptions`). */
  consumerHooks(): Required<Pick<MessageConsumerOptions, 'drop' | 'beforeHandle'>> {
    return { drop: this.drop, beforeHandle: this.beforeHandle };
  }

  #signalChange(): void {
    this.#changed.abort();
    this.#changed = new AbortController();
  }
}
