import { ErrorCode } from '../../../lib/model/errors';
import { checkValue } from '../../../lib/model/flow-zod';
import { CustomJob } from '../../../lib/plugins/gcp';
import { singerTasks } from '../../../lib/plugins/singer';
import type { RunnableTaskDefinition, TaskContext } from '../../../lib/plugins/types';

const byType = new Map<string, RunnableTaskDefinition>([...singerTasks, CustomJob].map((d) => [d.type, d]));
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
  'io.kestra.plugin.gcp.vertexai.CustomJob': {
    projectId: 'my-gcp-project', region: 'europe-west1', displayName: 'Start Custom Job', delete: false,
    spec: { serviceAccount: 'sa@p.iam.gserviceaccount.com', workerPoolSpecs: [{ containerSpec: { imageUri: 'gcr.io/p/i:latest', args: ['-e', 'x'], commands: ['/app/start.sh'] }, machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1 }] },
  },
};

describe('placeholder task types', () => {
  it.each(Object.keys(EXAMPLES))('%s accepts the properties Kestra documents', (type) => {
    expect(checkValue(def(type).properties, EXAMPLES[type], { strictRoot: true })).toEqual([]);
  });

  it('rejects unknown and missing properties, as the real plugins would', () => {
    const { region: _region, ...noRegion } = EXAMPLES['io.kestra.plugin.gcp.vertexai.CustomJob'];
    expect(checkValue(def('io.kestra.plugin.gcp.vertexai.CustomJob').properties, { ...noRegion, regoin: 'x' }).map((i) => i.message)).toEqual([
      "missing required property 'region'", "unknown property 'regoin'; did you mean 'region'?",
    ]);
    expect(checkValue(def('io.kestra.plugin.gcp.vertexai.CustomJob').properties, { ...EXAMPLES['io.kestra.plugin.gcp.vertexai.CustomJob'], spec: { workerPoolSpecs: [] } }))
      .toHaveLength(1);
  });

  it('belong to their plugin groups', () => {
    expect([...byType.values()].map((d) => `${d.group} ${d.type}`).sort()).toEqual([
      'gcp io.kestra.plugin.gcp.vertexai.CustomJob',
      'singer io.kestra.plugin.singer.taps.GenericTap',
      'singer io.kestra.plugin.singer.taps.GitHub',
      'singer io.kestra.plugin.singer.taps.PipelinewiseOracle',
      'singer io.kestra.plugin.singer.targets.AdswerveBigQuery',
      'singer io.kestra.plugin.singer.targets.GenericTarget',
    ]);
  });

  // The Singer types run now (test/e2e/singer.local.test.ts); CustomJob is still a placeholder.
  it.each(['io.kestra.plugin.gcp.vertexai.CustomJob'])('%s fails with NOT_IMPLEMENTED when run', async (type) => {
    await expect(def(type).run({} as TaskContext, {})).rejects.toMatchObject({ code: ErrorCode.NOT_IMPLEMENTED, message: `${type} is not implemented yet` });
  });
});
