// Kestra's retry policies (io.kestra.core.models.tasks.retrys.*).
import { z } from 'zod';
import { Duration } from './duration';

const common = {
  maxAttempt: z.number().int().positive().optional(),
  maxDuration: Duration.optional(),
  warningOnRetry: z.boolean().optional(),
};

export const ConstantRetry = z.object({ type: z.literal('constant'), interval: Duration, ...common }).strict();
export const ExponentialRetry = z.object({
  type: z.literal('exponential'), interval: Duration, maxInterval: Duration, delayFactor: z.number().positive().optional(), ...common,
}).strict();
export const RandomRetry = z.object({ type: z.literal('random'), minInterval: Duration, maxInterval: Duration, ...common }).strict();

export const Retry = z.discriminatedUnion('type', [ConstantRetry, ExponentialRetry, RandomRetry]);
export type Retry = z.infer<typeof Retry>;
