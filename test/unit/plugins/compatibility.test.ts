import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TaskStatus } from '../../../lib/model/catalog';
import { catalog } from '../../../lib/plugins/catalog';
import { compatibilityMarkdown, typeSupport } from '../../../lib/plugins/compatibility';

describe('the compatibility table', () => {
  it('in docs/compatibility.md is the one the catalog generates (run npm run docs:compatibility when this fails)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/compatibility.md'), 'utf8');
    expect(doc).toBe(compatibilityMarkdown(catalog()));
  });

  it('has one row per known type, each of its names resolving to that type in the catalog', () => {
    const rows = typeSupport(catalog());
    expect(rows).toHaveLength(catalog().types().length);
    for (const row of rows) {
      for (const name of [row.type, ...row.aliases]) expect(catalog().get(name)?.type).toBe(row.type);
    }
  });

  it('lists the Singer taps and targets and Vertex AI CustomJob as validates only, and Kafka and Bash as running', () => {
    const status = new Map(typeSupport(catalog()).map((r) => [r.type, r.status]));
    expect([...status].filter(([, s]) => s === TaskStatus.validatesOnly).map(([t]) => t).sort()).toEqual([
      'io.kestra.plugin.gcp.vertexai.CustomJob', 'io.kestra.plugin.singer.taps.GitHub',
      'io.kestra.plugin.singer.taps.PipelinewiseOracle', 'io.kestra.plugin.singer.targets.AdswerveBigQuery',
    ]);
    expect(status.get('io.kestra.plugin.kafka.Produce')).toBe(TaskStatus.runs);
    expect(status.get('io.kestra.core.tasks.scripts.Bash')).toBe(TaskStatus.runs);
  });

  it('marks a type validates only in the document when its definition says so', () => {
    const md = compatibilityMarkdown(catalog());
    expect(md).toContain('| `io.kestra.plugin.gcp.vertexai.CustomJob` |  | runnable | gcp | validates only |');
    expect(md).toContain('| `io.kestra.core.tasks.flows.Parallel` | `io.kestra.plugin.core.flow.Parallel` | flowable | executor | runs |');
  });
});
