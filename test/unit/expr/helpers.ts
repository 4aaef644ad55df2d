// Shared by the expression tests: the failure a compile or render step raises.
import { ExprFailure } from '../../../lib/expr/failure';

export function failure(fn: () => unknown): ExprFailure {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExprFailure) return e;
    throw e;
  }
  throw new Error('expected a failure');
}
