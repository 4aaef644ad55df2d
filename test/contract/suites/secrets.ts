// The Secrets contract: a secret's value by name, undefined when it does not exist.
import type { Secrets } from '../../../lib/ports/system';

export interface SecretsFixture {
  secrets: Secrets;
  cleanup(): Promise<void>;
}

/** `make` receives the secrets (name -> plain value) the backend must hold. */
export function secretsContract(name: string, make: (seed: Record<string, string>) => Promise<SecretsFixture>): void {
  describe(`Secrets contract: ${name}`, () => {
    let fx: SecretsFixture | undefined;
    afterEach(async () => {
      await fx?.cleanup();
      fx = undefined;
    });

    it('returns the value of a secret', async () => {
      fx = await make({ DB_PASSWORD: 's3cr3t!', API_KEY: 'key with spaces and ünïcode\nsecond line' });
      expect(await fx.secrets.get('DB_PASSWORD')).toBe('s3cr3t!');
      expect(await fx.secrets.get('API_KEY')).toBe('key with spaces and ünïcode\nsecond line');
    });

    it('returns undefined for a secret that does not exist', async () => {
      fx = await make({ OTHER: 'x' });
      expect(await fx.secrets.get('MISSING_SECRET')).toBeUndefined();
    });

    it('tells names apart by case', async () => {
      fx = await make({ TOKEN: 'upper' });
      expect(await fx.secrets.get('token')).toBeUndefined();
    });
  });
}
