// Flowable task types: evaluated by the engine, never sent to a worker.
import type { TaskTypeInfo } from '../../model/catalog';

export const flowableTypes: readonly TaskTypeInfo[] = [];
