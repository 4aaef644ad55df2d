import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TaskStatus } from '../../../lib/model/catalog';
import { catalog, createCatalog, runnableTasks } from '../../../lib/plugins/catalog';
import { CustomJob } from '../../../lib/plugins/gcp';
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

  it('lists every type of the release notes as running, Singer, Vertex AI, Kafka and Bash among them', () => {
    const status = new Map(typeSupport(catalog()).map((r) => [r.type, r.status]));
    expect([...status].filter(([, s]) => s === TaskStatus.validatesOnly)).toEqual([]);
    for (const type of ['io.kestra.plugin.gcp.vertexai.CustomJob', 'io.kestra.plugin.singer.taps.GitHub', 'io.kestra.plugin.singer.targets.AdswerveBigQuery', 'io.kestra.plugin.kafka.Produce', 'io.kestra.core.tasks.scripts.Bash']) {
      expect({ type, status: status.get(type) }).toEqual({ type, status: TaskStatus.runs });
    }
  });

  it('marks a type validates only in the document when its definition says so', () => {
    const placeholder = { ...CustomJob, status: TaskStatus.validatesOnly };
    const md = compatibilityMarkdown(createCatalog([...runnableTasks.filter((d) => d.type !== CustomJob.type), placeholder]));
    expect(md).toContain('| `io.kestra.plugin.gcp.vertexai.CustomJob` |  | runnable | gcp | validates only |');
    expect(md).toContain('| `io.kestra.core.tasks.flows.Parallel` | `io.kestra.plugin.core.flow.Parallel` | flowable | executor | runs |');
  });
});
