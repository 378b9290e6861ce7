import type { FastifyInstance } from 'fastify';
import { callerOf, faultsTarget } from '../audit/audit-entry.ts';
import type { AuditRecorder } from '../audit/audit-trail.ts';
import {
  type ActiveFault,
  defaultSlowDelayMs,
  type FaultMode,
  type FaultSwitch,
  faultModes,
  maxSlowDelayMs,
} from './fault-switch.ts';

/** A participant's commands: forward steps (may be declined) and compensations (never declined). */
export interface ParticipantCommands {
  forward: readonly string[];
  compensations: readonly string[];
}

export interface FaultRoutesOptions {
  commands: ParticipantCommands;
  /** Every switch is audited (`fault_set`, `fault_cleared`, target `faults:<service>`) before it is applied. */
  audit: AuditRecorder;
}

interface FaultBody {
  mode: FaultMode;
  delayMs?: number;
  commands?: string[];
}

/** Body of every fault answer: the fault in force (`mode: "none"` when the participant behaves normally). */
export interface FaultView {
  mode: FaultMode | 'none';
  commands: readonly string[];
  delayMs: number | null;
  since: string | null;
}

const faultView = (fault: ActiveFault | null): FaultView =>
  fault === null
    ? { mode: 'none', commands: [], delayMs: null, since: null }
    : { mode: fault.mode, commands: fault.commands, delayMs: fault.delayMs, since: fault.since };

const errorResponse = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

const faultResponse = {
  type: 'object',
  required: ['mode', 'commands', 'delayMs', 'since'],
  properties: {
    mode: { type: 'string', enum: ['none', ...faultModes] },
    commands: { type: 'array', items: { type: 'string' } },
    delayMs: { type: ['integer', 'null'] },
    since: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const scopeNote =
  'The switch is per process: in memory, not shared between instances of this participant, gone after a restart.';

/**
 * `POST /faults`, `GET /faults`, `DELETE /faults` on a participant (see fault-switch.ts for the
 * modes), operators only; a participant registers them only with FAULTS_ENABLED=true. The app must validate bodies strictly (lib/http/validation.ts `installStrictValidation`):
 * an unknown field is a 400 naming it rather than being silently stripped.
 */
export function registerFaultRoutes(
  app: FastifyInstance,
  faults: FaultSwitch,
  options: FaultRoutesOptions,
): void {
  const { forward, compensations } = options.commands;
  const { audit } = options;
  const target = faultsTarget(audit.service);
  const all = [...forward, ...compensations];
  const list = (names: readonly string[]) => names.join(', ');
  // One change at a time: the switch then changes in the order its audit records committed.
  let lastChange: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(change: () => Promise<T>): Promise<T> => {
    const next = lastChange.then(change);
    lastChange = next.catch(() => undefined);
    return next;
  };

  app.post<{ Body: FaultBody }>(
    '/faults',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['faults'],
        summary: 'Switch a runtime fault on',
        description:
          'decline: forward commands get the business failure (reason fault_injected); fail: the handler throws, ' +
          'the command is retried then dead-lettered; silent: commands are dropped, never answered; slow: each ' +
          `batch waits delayMs first. Replaces any active fault. ${scopeNote}`,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['mode'],
          properties: {
            mode: { type: 'string', enum: faultModes },
            delayMs: {
              type: 'integer',
              minimum: 0,
              maximum: maxSlowDelayMs,
              description: `Only for mode slow; default ${defaultSlowDelayMs}.`,
            },
            commands: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', minLength: 1 },
              description:
                `Commands of this participant the fault applies to: ${list(all)}. Default: all of them ` +
                `(for decline: the forward ones, ${list(forward)}).`,
            },
          },
        },
        response: { 200: faultResponse, 400: errorResponse },
      },
    },
    async (request, reply) => {
      const { mode, delayMs, commands } = request.body;
      const badRequest = (message: string) =>
        reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
      for (const command of commands ?? []) {
        if (!all.includes(command)) {
          return badRequest(
            `body.commands: '${command}' is not a command of this participant (its commands: ${list(all)})`,
          );
        }
        if (mode === 'decline' && compensations.includes(command)) {
          return badRequest(
            `body.commands: '${command}' is a compensation; 'decline' applies to forward commands only (${list(forward)}); use 'fail' or 'silent'`,
          );
        }
      }
      if (delayMs !== undefined && mode !== 'slow') {
        return badRequest(`body.delayMs only applies to mode 'slow', not '${mode}'`);
      }
      const settings = {
        mode,
        commands: commands ?? (mode === 'decline' ? forward : all),
        ...(delayMs === undefined ? {} : { delayMs }),
      };
      // Recorded first, applied once the record committed: if it does not commit, nothing changes.
      const fault = await oneAtATime(async () => {
        await audit.record({
          ...callerOf(request),
          action: 'fault_set',
          target,
          outcome: 'applied',
          detail: {
            fault: {
              mode,
              commands: settings.commands,
              delayMs: mode === 'slow' ? (delayMs ?? defaultSlowDelayMs) : null,
            },
          },
        });
        return faults.activate(settings);
      });
      request.log.warn({ fault }, 'fault injection switched on');
      return faultView(fault);
    },
  );

  app.get(
    '/faults',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['faults'],
        summary: 'The runtime fault in force',
        description: `mode "none" when the participant behaves normally. ${scopeNote}`,
        response: { 200: faultResponse },
      },
    },
    async () => faultView(faults.active),
  );

  app.delete(
    '/faults',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['faults'],
        summary: 'Restore normal behaviour',
        description: `Clears the fault of this process (a no-op when none is active). ${scopeNote}`,
        response: { 204: { type: 'null', description: 'Normal behaviour restored' } },
      },
    },
    async (request, reply) => {
      const previous = await oneAtATime(async () => {
        const active = faults.active;
        await audit.record({
          ...callerOf(request),
          action: 'fault_cleared',
          target,
          outcome: 'applied',
          detail: { fault: active === null ? null : faultView(active) },
        });
        return faults.reset();
      });
      if (previous) request.log.warn({ fault: previous }, 'fault injection switched off');
      return reply.code(204).send();
    },
  );
}
