import { catalog } from '../../../lib/plugins/catalog';
import { parseFlowWithTriggers, triggerFindings } from '../../../lib/triggers/validate';

const flow = (triggers: string) => `id: t
namespace: io.aloft.tests
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: hi
triggers:
${triggers}`;

describe('parseFlowWithTriggers', () => {
  it('reports a malformed cron with file, line, column, flow, trigger and property', () => {
    const r = parseFlowWithTriggers(flow(`  - id: nightly
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "0 25 * * *"
`), { file: 'f.yml', catalog: catalog() });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([expect.objectContaining({
      code: 'FLOW_INVALID', file: 'f.yml', flow: 'io.aloft.tests.t', task: 'nightly', property: 'triggers[0].cron', line: 10, column: 11,
      message: expect.stringMatching(/^invalid cron expression '0 25 \* \* \*'/),
    })]);
  });

  it('reports an unknown timezone', () => {
    const r = parseFlowWithTriggers(flow(`  - id: nightly
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "@daily"
    timezone: Europe/Atlantis
`), { catalog: catalog() });
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual(["unknown timezone 'Europe/Atlantis'; use an IANA name such as Europe/Paris or UTC"]);
  });

  it('accepts valid triggers of every type and drops the unknown-type warning for RealtimeTrigger', () => {
    const r = parseFlowWithTriggers(flow(`  - id: s
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/5 * * * *"
    timezone: Europe/Paris
  - id: f
    type: io.kestra.core.models.triggers.types.Flow
    conditions:
      - type: io.kestra.core.models.conditions.types.ExecutionStatusCondition
        in: [SUCCESS]
  - id: w
    type: io.kestra.core.models.triggers.types.Webhook
    key: abc
  - id: p
    type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
    topic: orders
`), { catalog: catalog() });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('keeps the errors parseFlow found and adds the trigger ones', () => {
    const r = parseFlowWithTriggers(`id: t
namespace: io.aloft.tests
tasks: []
triggers:
  - id: w
    type: io.kestra.core.models.triggers.types.Webhook
`, { catalog: catalog() });
    expect(!r.ok && r.errors.map((e) => e.message)).toEqual(['a flow needs at least one task', "missing required property 'key'"]);
  });
});

describe('triggerFindings', () => {
  it('ignores unknown trigger types', () => {
    expect(triggerFindings([{ id: 'k', type: 'io.kestra.plugin.aws.sqs.Trigger', whatever: 1 }])).toEqual([]);
  });
});
