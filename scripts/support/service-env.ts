/**
 * What every launcher (npm start, the tests, the chaos run, the bench) adds to a service's
 * environment: the settings that differ per service, such as the credentials of its own principal.
 * `base` is the environment the launcher built (its DATABASE_URL, TOPIC_PREFIX, …); what this returns
 * is spread over it.
 */
import { kafkaEnvFor } from './kafka-env.ts';

export type ServiceNameForEnv = 'orchestrator' | 'inventory' | 'payment' | 'shipping';

export function perServiceEnv(name: ServiceNameForEnv, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...kafkaEnvFor(name, base) };
}
