// The chaos run's flows: one execution mixes retries, a subflow, parallel branches and a pause. Every
// task with a side effect appends its attempt number to a marker file of its task run, so the run can
// tell which attempts ran, and how often. An attempt running at a kill is lost and runs again whatever
// the retry policy (engine/retry.ts); the Return tasks, without one, check that.
export const CHAOS_NAMESPACE = 'chaos';

const marked = (markers: string, extra = ''): string => `    retry:
      type: constant
      interval: PT0S
      maxAttempt: 10
    commands:
      - 'echo "{{ taskrun.attemptsCount }}" >> "${markers}/{{ execution.id }}-{{ taskrun.id }}"'${extra}`;

/** The parent flow, `chaos`, and the subflow it calls, `child`, as YAML files' contents by name. */
export function chaosFlows(markers: string): Record<string, string> {
  const parent = `id: chaos
namespace: ${CHAOS_NAMESPACE}
tasks:
  - id: mark
    type: io.kestra.core.tasks.scripts.Bash
${marked(markers)}
  - id: flaky
    type: io.kestra.core.tasks.scripts.Bash
${marked(markers, `
      - 'test {{ taskrun.attemptsCount }} -ge 1'`)}
  - id: branches
    type: io.kestra.core.tasks.flows.Parallel
    tasks:
      - id: left
        type: io.kestra.core.tasks.scripts.Bash
${marked(markers).replace(/^/gm, '    ')}
      - id: right
        type: io.kestra.core.tasks.debugs.Return
        format: right
  - id: call
    type: io.kestra.core.tasks.flows.Flow
    namespace: ${CHAOS_NAMESPACE}
    flowId: child
    wait: true
    transmitFailed: true
  - id: wait
    type: io.kestra.core.tasks.flows.Pause
    delay: PT1S
    tasks:
      - id: resumed
        type: io.kestra.core.tasks.debugs.Return
        format: resumed
`;
  const child = `id: child
namespace: ${CHAOS_NAMESPACE}
tasks:
  - id: inside
    type: io.kestra.core.tasks.scripts.Bash
${marked(markers)}
`;
  return { 'chaos.yml': parent, 'child.yml': child };
}
