// Trigger problems never throw out of a loop: they are reported, with the flow and trigger they concern.
import type { AloftErrorData } from '../model/errors';

export interface TriggerReport {
  level: 'INFO' | 'WARN' | 'ERROR';
  message: string;
  /** namespace.flowId of the flow that owns the trigger. */
  flow?: string;
  trigger?: string;
  executionId?: string;
  error?: AloftErrorData;
}

export type Reporter = (report: TriggerReport) => void;
