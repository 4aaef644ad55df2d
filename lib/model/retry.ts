// Kestra's retry policies (io.kestra.core.models.tasks.retrys.*).
import { z } from 'zod';
import { Duration } from './duration';

/**
 * Kestra 1.x's retry `behavior`. RETRY_FAILED_TASK (the default) adds attempts to the task run;
 * CREATE_NEW_EXECUTION (a new execution per retry, the old one RETRIED) is not supported yet.
 */
const RetryBehavior = z.enum(['RETRY_FAILED_TASK', 'CREATE_NEW_EXECUTION']).refine((b) => b === 'RETRY_FAILED_TASK', {
  message: 'retry behavior CREATE_NEW_EXECUTION is not supported yet: use RETRY_FAILED_TASK (the default), which retries the task in the same execution',
});

const common = {
  maxAttempt: z.number().int().positive().optional(),
  /** Kestra 0.24's name for maxAttempt (the old one stays an alias); give one of them. */
  maxAttempts: z.number().int().positive().optional(),
  behavior: RetryBehavior.optional(),
  maxDuration: Duration.optional(),
  warningOnRetry: z.boolean().optional(),
};

export const ConstantRetry = z.object({ type: z.literal('constant'), interval: Duration, ...common }).strict();
export const ExponentialRetry = z.object({
  type: z.literal('exponential'), interval: Duration, maxInterval: Duration, delayFactor: z.number().positive().optional(), ...common,
}).strict();
export const RandomRetry = z.object({ type: z.literal('random'), minInterval: Duration, maxInterval: Duration, ...common }).strict();

export const Retry = z.discriminatedUnion('type', [ConstantRetry, ExponentialRetry, RandomRetry]).refine(
  (r) => r.maxAttempt === undefined || r.maxAttempts === undefined,
  { message: 'give maxAttempts or its old name maxAttempt, not both', path: ['maxAttempts'] },
);
export type Retry = z.infer<typeof Retry>;
