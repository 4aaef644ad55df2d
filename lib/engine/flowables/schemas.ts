// Property schemas shared by flowables. Child tasks are only checked for shape here: the flow
// validator checks each child against its own type.
import { z } from 'zod';

export const TaskList = z.array(z.looseObject({ id: z.string(), type: z.string() }));
export const NonEmptyTaskList = TaskList.min(1, 'expected at least one task');
export const Concurrent = z.number().int().nonnegative();

/** Kestra 0.x names first, then the 1.x alias. */
export const names = (name: string, alias = name): { type: string; aliases: string[] } => ({
  type: `io.kestra.core.tasks.flows.${name}`,
  aliases: [`io.kestra.plugin.core.flow.${alias}`],
});
