// The seed's Vertex AI CustomJob flow (test/fixtures/seed/vertexai-custom-job.yml) with its `vars`
// given, as a flow's `variables`, and the environment that points it at the loopback fakes.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeCloudLogging } from './fake-cloud-logging';
import type { FakeVertexAi } from './fake-vertex-ai';

export const SEED_PROJECT = 'aloft-seed';

/**
 * The flow as the seed writes it, with `variables` appended. The seed sets `projectId` from
 * vars.serviceAccount and `serviceAccount` from vars.projectId; the vars follow it, so the project
 * is vars.serviceAccount and the key is vars.projectId.
 */
export function seedVertexFlow(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = JSON.stringify({
    type: 'service_account', project_id: SEED_PROJECT, private_key_id: 'k1', client_email: `aloft@${SEED_PROJECT}.iam.gserviceaccount.com`,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
  const flow = readFileSync(join(__dirname, '..', 'fixtures', 'seed', 'vertexai-custom-job.yml'), 'utf8');
  return `${flow.trimEnd()}\nvariables:\n  serviceAccount: ${SEED_PROJECT}\n  imageUri: gcr.io/${SEED_PROJECT}/table-analysis:1\n  projectId: ${JSON.stringify(key)}\n`;
}

/** The runtime environment: the fakes' hosts, a fast poll, and `globals.env`. */
export const seedVertexEnv = (vertex: FakeVertexAi, logging: FakeCloudLogging, pollMs = 50): Record<string, string> => ({
  VERTEXAI_EMULATOR_HOST: vertex.endpoint, LOGGING_EMULATOR_HOST: logging.endpoint, ALOFT_VERTEXAI_POLL_MS: String(pollMs),
  ALOFT_GLOBALS: JSON.stringify({ env: 'prod' }), METADATA_SERVER_DETECTION: 'none',
});
