import { checkValue } from '../../../../lib/model/flow-zod';
import { singerTasks } from '../../../../lib/plugins/singer';
import type { RunnableTaskDefinition } from '../../../../lib/plugins/types';

const byType = new Map<string, RunnableTaskDefinition>([...singerTasks].map((d) => [d.type, d]));
const def = (type: string): RunnableTaskDefinition => {
  const d = byType.get(type);
  if (!d) throw new Error(`${type} is not defined`);
  return d;
};

// Property sets as Kestra's documentation and the 0.4 release notes write them.
const EXAMPLES: Record<string, Record<string, unknown>> = {
  'io.kestra.plugin.singer.taps.GitHub': {
    accessToken: '{{ vars.github.token }}', repositories: ['kestra-io/kestra'], startDate: '2019-07-01', raw: true,
    streamsConfigurations: [{ replicationMethod: 'INCREMENTAL', selected: true }, { selected: false, stream: 'projects' }],
    runner: 'DOCKER', dockerOptions: { image: 'python:3.8' },
  },
  'io.kestra.plugin.singer.taps.PipelinewiseOracle': {
    host: '127.0.0.1', username: 'oracle', password: 'oracle_passwd', port: 63306, sid: 'ORCL',
    streamsConfigurations: [{ stream: 'Category', replicationMethod: 'INCREMENTAL', replicationKeys: 'categoryId', selected: true }, { propertiesPattern: ['description'], selected: false }],
  },
  'io.kestra.plugin.singer.targets.AdswerveBigQuery': {
    addMetadataColumns: true, from: '{{ outputs.github.raw }}', datasetId: 'github', location: 'EU', projectId: 'p', serviceAccount: '{}',
    runner: 'DOCKER', dockerOptions: { image: 'python:3.8' },
  },
};

describe('the Singer task types', () => {
  it.each(Object.keys(EXAMPLES))('%s accepts the properties Kestra documents', (type) => {
    expect(checkValue(def(type).properties, EXAMPLES[type], { strictRoot: true })).toEqual([]);
  });

  it('are every tap and target of plugin-singer\'s last version, in the singer group', () => {
    expect([...byType.values()].every((d) => d.group === 'singer')).toBe(true);
    const names = [...byType.keys()].map((t) => t.replace('io.kestra.plugin.singer.', ''));
    expect(names.filter((n) => n.startsWith('taps.'))).toHaveLength(29);
    expect(names.filter((n) => n.startsWith('targets.'))).toHaveLength(11);
    expect(names).toEqual(expect.arrayContaining([
      'taps.GenericTap', 'taps.GitHub', 'taps.PipelinewiseOracle', 'targets.AdswerveBigQuery', 'targets.GenericTarget', 'taps.Gitlab', 'targets.Json',
    ]));
  });
});
