// Task list helpers shared by the flowables and the flow-level branch.
import type { Task } from '../model/flow';

/** Tasks that are not `disabled: true`: Kestra skips them. */
export function enabled(list: readonly Task[] | null | undefined): Task[] {
  if (!list) return [];
  return list.filter((t) => t && t.disabled !== true);
}
