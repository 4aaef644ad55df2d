import { EnvSecrets } from '../../lib/adapters/local';
import { secretsContract } from './suites/secrets';

// As in Kestra's open-source edition: SECRET_<NAME> holds the base64 of the value.
secretsContract('environment variables', async (seed) => {
  const env: Record<string, string> = { PATH: '/usr/bin' };
  for (const [name, value] of Object.entries(seed)) env[`SECRET_${name}`] = Buffer.from(value).toString('base64');
  return { secrets: new EnvSecrets(env), cleanup: async () => undefined };
});
