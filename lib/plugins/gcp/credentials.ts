// The connection properties every Google Cloud task takes (Kestra's AbstractTask: projectId,
// serviceAccount, scopes) and the request headers they give. A service account key signs its own
// access token (a self-signed JWT, no token endpoint); without one, Application Default Credentials
// apply, which on Cloud Functions is the worker's own service account.
import { z } from 'zod';
import { AloftError, ErrorCode, type ErrorLocation } from '../../model/errors';

export const DEFAULT_SCOPES = ['https://www.googleapis.com/auth/cloud-platform'] as const;

export const gcpProperties = {
  projectId: z.string().min(1).optional(),
  /** The service account key, as JSON text (usually `{{ secret('GCP_SERVICE_ACCOUNT') }}`). */
  serviceAccount: z.string().optional(),
  scopes: z.array(z.string().min(1)).optional(),
};

const ServiceAccountKey = z.object({
  type: z.literal('service_account'),
  project_id: z.string().optional(),
  private_key_id: z.string().optional(),
  private_key: z.string().min(1),
  client_email: z.string().min(1),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

/**
 * The key's fields, or an error naming the property and what is wrong. The message never quotes the
 * key: it is a secret, and JSON.parse's messages would show a piece of it.
 */
export function parseServiceAccount(text: string, location: ErrorLocation): ServiceAccountKey {
  const where = { ...location, property: 'serviceAccount' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AloftError(ErrorCode.TASK_FAILED, 'serviceAccount is not a JSON service account key (it does not parse as JSON)', where);
  }
  const parsed = ServiceAccountKey.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'type')))].join(', ');
    throw new AloftError(ErrorCode.TASK_FAILED, `serviceAccount is not a service account key: missing or invalid ${fields}`, where);
  }
  if (!parsed.data.private_key.includes('PRIVATE KEY')) {
    throw new AloftError(ErrorCode.TASK_FAILED, 'serviceAccount is not a service account key: private_key is not a PEM private key', where);
  }
  return parsed.data;
}

/** Gives the headers that authorize one request to `url`. */
export type Authorizer = (url: string) => Promise<Record<string, string>>;

export interface CredentialOptions {
  serviceAccount?: ServiceAccountKey;
  scopes?: readonly string[];
  /** An emulator or fake: no credentials unless a key was given. */
  emulator: boolean;
}

/** Headers from google-auth-library, loaded on first use so flows without GCP tasks never load it. */
export function authorizer(o: CredentialOptions): Authorizer {
  if (o.emulator && !o.serviceAccount) return async () => ({});
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  const auth: typeof import('google-auth-library') = require('google-auth-library');
  const scopes = [...(o.scopes ?? DEFAULT_SCOPES)];
  let client: { getRequestHeaders(url?: string): Promise<Headers> };
  if (o.serviceAccount) {
    const jwt = new auth.JWT({ email: o.serviceAccount.client_email, key: o.serviceAccount.private_key, keyId: o.serviceAccount.private_key_id, scopes });
    jwt.useJWTAccessWithScope = true;
    client = jwt;
  } else client = new auth.GoogleAuth({ scopes });
  return async (url) => {
    const headers = await client.getRequestHeaders(url);
    const out: Record<string, string> = {};
    headers.forEach((value, name) => { out[name] = value; });
    return out;
  };
}
