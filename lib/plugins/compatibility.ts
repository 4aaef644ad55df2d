// What `aloft plugins list` prints and docs/compatibility.md holds: every task type the catalog
// knows, with its group and status. The document is generated from the catalog (npm run
// docs:compatibility) and a test fails when the two disagree.
import { TaskStatus, type TaskCatalog } from '../model/catalog';

export interface TypeSupport {
  type: string;
  aliases: readonly string[];
  kind: 'flowable' | 'runnable';
  /** The worker group; `executor` for flowable tasks, which never reach a worker, but WorkingDirectory's (`worker`: the group of its tasks). */
  group: string;
  status: TaskStatus;
}

/** Every known type, flowables first, then by group and name. */
export function typeSupport(catalog: TaskCatalog): TypeSupport[] {
  return catalog.types()
    .map((t): TypeSupport => ({
      type: t.type, aliases: t.aliases, kind: t.kind, group: t.group ?? (t.runsChildrenOnWorker ? 'worker' : 'executor'), status: t.status ?? TaskStatus.runs,
    }))
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'flowable' ? -1 : 1) || a.group.localeCompare(b.group) || a.type.localeCompare(b.type));
}

const STATUS_NOTE: Record<TaskStatus, string> = {
  [TaskStatus.runs]: 'an execution runs it, embedded and in the cloud',
  [TaskStatus.validatesOnly]: 'the flow validates and deploys, `aloft validate` warns, and an execution fails at the task with NOT_IMPLEMENTED',
};

/** docs/compatibility.md. */
export function compatibilityMarkdown(catalog: TaskCatalog): string {
  const rows = typeSupport(catalog);
  const count = (s: TaskStatus): number => rows.filter((r) => r.status === s).length;
  const cell = (names: readonly string[]): string => (names.length === 0 ? '' : names.map((n) => `\`${n}\``).join('<br>'));
  return [
    '# Compatibility: the task types Aloft knows',
    '',
    '<!-- Generated from lib/plugins/catalog.ts by `npm run docs:compatibility`; test/unit/plugins/compatibility.test.ts fails when it is stale. -->',
    '',
    `Aloft knows ${rows.length} task types: ${count(TaskStatus.runs)} run, ${count(TaskStatus.validatesOnly)} validate only.`,
    'A type is known by its Kestra 0.x name and by the aliases listed (later Kestra names). Any other type is refused:',
    'the flow does not validate (`unknown task type`). Task properties are checked against each type\'s schema; a',
    'property a type does not support is an error naming it (see the page of each plugin group for details).',
    '',
    'Status:',
    ...Object.values(TaskStatus).map((s) => `- **${s}**: ${STATUS_NOTE[s]}.`),
    '',
    'Group `executor`: the engine evaluates the task and no worker sees it. Group `worker` (WorkingDirectory): one',
    'worker runs all its tasks, on the function of their plugin groups (see [the engine](engine.md#workingdirectory-1x)).',
    '',
    '| type | aliases | kind | group | status |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| \`${r.type}\` | ${cell(r.aliases)} | ${r.kind} | ${r.group} | ${r.status} |`),
    '',
  ].join('\n');
}
