import { checkValue } from '../../../../lib/model/flow-zod';
import { CustomJob } from '../../../../lib/plugins/gcp';
import { checkRegion, jobSpecOf } from '../../../../lib/plugins/gcp/vertexai/custom-job';
import { levelOfSeverity, rfc3339 } from '../../../../lib/plugins/gcp/vertexai/log-tail';

// As Kestra's documentation and the 0.4 release notes write them.
const EXAMPLE = {
  projectId: 'my-gcp-project', region: 'europe-west1', displayName: 'Start Custom Job', delete: false,
  spec: { serviceAccount: 'sa@p.iam.gserviceaccount.com', workerPoolSpecs: [{ containerSpec: { imageUri: 'gcr.io/p/i:latest', args: ['-e', 'x'], commands: ['/app/start.sh'] }, machineSpec: { machineType: 'n1-standard-4' }, replicaCount: 1 }] },
};

describe('Vertex AI CustomJob properties', () => {
  it('accepts the properties Kestra documents', () => {
    expect(checkValue(CustomJob.properties, EXAMPLE, { strictRoot: true })).toEqual([]);
  });

  it('rejects unknown and missing properties, as Kestra would', () => {
    const { region: _region, ...noRegion } = EXAMPLE;
    expect(checkValue(CustomJob.properties, { ...noRegion, regoin: 'x' }).map((i) => i.message)).toEqual([
      "missing required property 'region'", "unknown property 'regoin'; did you mean 'region'?",
    ]);
    expect(checkValue(CustomJob.properties, { ...EXAMPLE, spec: { workerPoolSpecs: [] } })).toHaveLength(1);
  });

  it('belongs to the gcp group', () => {
    expect(CustomJob.group).toBe('gcp');
  });
});

describe('the spec sent to Vertex AI', () => {
  it('maps Kestra\'s spec to CustomJobSpec: commands to command, env to name/value pairs, discSpec to diskSpec, timeOut to seconds', () => {
    const spec = CustomJob.properties.parse({
      ...EXAMPLE,
      spec: {
        network: 'projects/1/global/networks/n', tensorboard: 't', enableWebAccess: true,
        scheduling: { timeOut: 'PT1H30M', restartJobOnWorkerRestart: true },
        baseOutputDirectory: { outputUriPrefix: 'gs://b/out' },
        workerPoolSpecs: [{
          containerSpec: { imageUri: 'i', commands: ['c'], env: { A: '1' } },
          machineSpec: { machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 2 },
          discSpec: { bootDiskType: 'PD_SSD', bootDiskSizeGb: 100 },
        }],
      },
    }).spec;
    expect(jobSpecOf(spec)).toEqual({
      workerPoolSpecs: [{
        containerSpec: { imageUri: 'i', command: ['c'], args: [], env: [{ name: 'A', value: '1' }] },
        machineSpec: { machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 2 },
        diskSpec: { bootDiskType: 'PD_SSD', bootDiskSizeGb: 100 },
        replicaCount: '1',
      }],
      network: 'projects/1/global/networks/n', tensorboard: 't', enableWebAccess: true,
      scheduling: { timeout: { seconds: '5400' }, restartJobOnWorkerRestart: true },
      baseOutputDirectory: { outputUriPrefix: 'gs://b/out' },
    });
  });
});

describe('log severities and regions', () => {
  it('maps every Cloud Logging severity, by name or number, to a task log level', () => {
    const names = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];
    expect(names.map(levelOfSeverity)).toEqual(['INFO', 'DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR', 'ERROR', 'ERROR', 'ERROR']);
    expect(names.map((_, i) => levelOfSeverity(i * 100))).toEqual(['INFO', 'DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR', 'ERROR', 'ERROR', 'ERROR']);
  });

  it('writes filter timestamps with nanoseconds', () => {
    expect(rfc3339(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
  });

  it('refuses an unknown region, naming the property', () => {
    expect(() => checkRegion('europe-west1', { task: 't' })).not.toThrow();
    expect(() => checkRegion('eu-west1', { task: 't' })).toThrow(expect.objectContaining({ code: 'FLOW_INVALID', location: { task: 't', property: 'region' } }));
  });
});
