import type { FastifyInstance } from 'fastify';
import { readAuthConfig } from '../../lib/config/auth-config.ts';
import { readCommonConfig } from '../../lib/config/common-config.ts';
import { EnvReader } from '../../lib/config/env.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler } from '../../lib/messaging/message-consumer.ts';
import { runService, type ServiceDefinition, type ServiceDeps } from '../../lib/service/run-service.ts';
import { exitOnStartupFailure, finishConfig } from '../../lib/service/startup.ts';
import type { ParticipantAppDeps } from './participant-app.ts';

/** What a participant's entry point defines, from its own environment variables. */
export interface ParticipantDefinition {
  /** Its HTTP port. */
  port: number;
  /** The topic of its commands. */
  consumes: string;
  createHandler(deps: ServiceDeps, faults: FaultSwitch): BatchHandler;
  buildApp(
    deps: ServiceDeps & Pick<ParticipantAppDeps, 'auth'>,
    faults: FaultSwitch,
  ): Promise<FastifyInstance>;
  /** Problems with its own settings that the reader cannot see, reported with the reader's. */
  configProblems?: readonly string[];
  /** Registers its own metrics (lib/metrics/participant-metrics.ts) besides the common ones. */
  registerMetrics?(deps: ServiceDeps): void;
  /** Its own background work beside the consumer (stopped with the service). */
  startBackground?: ServiceDefinition['startBackground'];
}

/**
 * Runs a participant service: the common and auth config, then its own (`define`), every problem
 * reported at once; one fault switch for its consumer and HTTP app. A participant that cannot start
 * exits with the reason. Its entry point imports lib/kafka/kafkajs-patches/index.ts before this.
 */
export async function runParticipant(
  name: 'inventory' | 'payment' | 'shipping',
  define: (reader: EnvReader) => ParticipantDefinition,
): Promise<void> {
  try {
    const reader = new EnvReader(process.env);
    const config = readCommonConfig(reader);
    const auth = readAuthConfig(reader);
    const participant = define(reader);
    finishConfig(reader, participant.configProblems);

    const faults = new FaultSwitch();
    await runService({
      name,
      schema: name,
      config,
      port: participant.port,
      consumes: [participant.consumes],
      createHandler: (deps) => participant.createHandler(deps, faults),
      buildApp: (deps) => participant.buildApp({ ...deps, auth }, faults),
      consumerOptions: faults.consumerHooks(),
      ...(participant.registerMetrics ? { registerMetrics: participant.registerMetrics } : {}),
      ...(participant.startBackground ? { startBackground: participant.startBackground } : {}),
    });
  } catch (error) {
    exitOnStartupFailure(name, error);
  }
}
