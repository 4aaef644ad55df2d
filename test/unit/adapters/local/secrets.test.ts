import { EnvSecrets } from '../../../../lib/adapters/local';

describe('EnvSecrets', () => {
  it('decodes SECRET_<NAME> from base64', async () => {
    const secrets = new EnvSecrets({ SECRET_PG: Buffer.from('pässword').toString('base64') });
    expect(await secrets.get('PG')).toBe('pässword');
  });

  it('reads the environment it was given, not the process environment', async () => {
    process.env.SECRET_FROM_PROCESS = Buffer.from('x').toString('base64');
    try {
      expect(await new EnvSecrets({}).get('FROM_PROCESS')).toBeUndefined();
    } finally {
      delete process.env.SECRET_FROM_PROCESS;
    }
  });
});
