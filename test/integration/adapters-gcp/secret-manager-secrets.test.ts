// SecretManagerSecrets against a fake Secret Manager on loopback (no emulator of it exists): the port
// contract, the env fallback, and how refusals and outages surface.
import { SecretManagerSecrets } from '../../../lib/adapters/gcp/secret-manager-secrets';
import { secretsContract } from '../../contract/suites/secrets';
import { startFakeSecretManager, type FakeSecretManager } from './fake-secret-manager';

const TOKEN = 'test-token';
let fake: FakeSecretManager;
beforeAll(async () => {
  fake = await startFakeSecretManager(TOKEN);
});
afterAll(async () => {
  await fake.close();
});

let project = 0;
function seeded(seed: Record<string, string>, env: Record<string, string> = {}) {
  const projectId = `proj-${++project}`;
  fake.secrets.set(projectId, new Map(Object.entries(seed)));
  return new SecretManagerSecrets({ projectId, endpoint: fake.endpoint, accessToken: async () => TOKEN, env, cacheTtlMs: 0 });
}

secretsContract('Secret Manager (fake Secret Manager on loopback)', async (seed) => ({ secrets: seeded(seed), cleanup: async () => undefined }));

describe('SecretManagerSecrets (fake Secret Manager on loopback)', () => {
  it('reads the latest version with a bearer token', async () => {
    const secrets = seeded({ DB_PASSWORD: 'pw' });
    fake.requests.length = 0;
    expect(await secrets.get('DB_PASSWORD')).toBe('pw');
    expect(fake.requests).toEqual([{ method: 'GET', path: `/v1/projects/proj-${project}/secrets/DB_PASSWORD/versions/latest:access`, authorization: `Bearer ${TOKEN}` }]);
  });

  it('falls back to the base64 SECRET_<NAME> variable when Secret Manager has no such secret', async () => {
    const secrets = seeded({ IN_SM: 'from secret manager' }, {
      SECRET_ONLY_ENV: Buffer.from('from env').toString('base64'), SECRET_IN_SM: Buffer.from('shadowed').toString('base64'),
    });
    expect(await secrets.get('ONLY_ENV')).toBe('from env');
    expect(await secrets.get('IN_SM')).toBe('from secret manager');
  });

  it('never sends a name that Secret Manager could not hold, and looks it up in the environment only', async () => {
    const secrets = seeded({}, { 'SECRET_a.b': Buffer.from('dotted').toString('base64') });
    fake.requests.length = 0;
    expect(await secrets.get('../../other/secrets/x')).toBeUndefined();
    expect(await secrets.get('a.b')).toBe('dotted');
    expect(fake.requests).toEqual([]);
  });

  it('reports a refused read as FORBIDDEN and an outage as INFRA_RETRYABLE, without a value in the message', async () => {
    const secrets = seeded({ LOCKED: 'hidden-value', DOWN: 'hidden-value' });
    fake.forbidden.add('LOCKED');
    fake.unavailable.add('DOWN');
    await expect(secrets.get('LOCKED')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.not.stringContaining('hidden-value') });
    await expect(secrets.get('DOWN')).rejects.toMatchObject({ code: 'INFRA_RETRYABLE' });
  });

  it('reports bad credentials as UNAUTHORIZED', async () => {
    const secrets = new SecretManagerSecrets({ projectId: 'proj-x', endpoint: fake.endpoint, accessToken: async () => 'wrong' });
    await expect(secrets.get('ANY')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('reports an unreachable Secret Manager as INFRA_RETRYABLE', async () => {
    const secrets = new SecretManagerSecrets({ projectId: 'p', endpoint: 'http://127.0.0.1:1', accessToken: async () => TOKEN });
    await expect(secrets.get('ANY')).rejects.toMatchObject({ code: 'INFRA_RETRYABLE' });
  });

  it('reuses a value for the cache period, then reads it again', async () => {
    let now = 0;
    const projectId = `proj-${++project}`;
    fake.secrets.set(projectId, new Map([['ROTATING', 'v1']]));
    const secrets = new SecretManagerSecrets({ projectId, endpoint: fake.endpoint, accessToken: async () => TOKEN, cacheTtlMs: 1000, now: () => now });
    expect(await secrets.get('ROTATING')).toBe('v1');
    fake.secrets.get(projectId)!.set('ROTATING', 'v2');
    now = 999;
    expect(await secrets.get('ROTATING')).toBe('v1');
    now = 1000;
    expect(await secrets.get('ROTATING')).toBe('v2');
  });
});
