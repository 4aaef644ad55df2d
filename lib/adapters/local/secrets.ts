// Secrets from environment variables, as Kestra's open-source edition reads them:
// `secret('DB_PASSWORD')` is the base64-decoded value of SECRET_DB_PASSWORD.
import type { Secrets } from '../../ports/system';

export class EnvSecrets implements Secrets {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  async get(name: string): Promise<string | undefined> {
    const encoded = this.env[`SECRET_${name}`];
    return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  }
}
