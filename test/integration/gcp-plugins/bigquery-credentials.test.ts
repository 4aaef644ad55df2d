// serviceAccount keys with BigQuery tasks, run through the worker against the fake BigQuery (wire
// protocol), which checks the self-signed JWT each request carries. Credentials never reach logs or outputs.
import { generateKeyPairSync } from 'node:crypto';
import { runAttempt } from '../../../lib/worker';
import { fakeWorker } from '../../../lib/worker/testing';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { FAST_RETRY, PROJECT } from './tasks';

jest.setTimeout(30_000);

const QUERY = 'io.kestra.plugin.gcp.bigquery.Query';
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const { publicKey, privateKey } = pair();
const EMAIL = 'aloft-worker@aloft-test.iam.gserviceaccount.com';
const key = (privateKeyPem: string) => JSON.stringify({
  type: 'service_account', project_id: PROJECT, private_key_id: 'k1', private_key: privateKeyPem, client_email: EMAIL, client_id: '1',
  token_uri: 'https://oauth2.googleapis.com/token',
});
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** The base64 body of a PEM key: what must never be seen anywhere. */
const keyBody = (pem: string) => pem.split('\n')[5];

let fake: FakeBigQuery;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  fake.requireJwt = { publicKeyPem: publicKey, email: EMAIL };
  fake.queries.set('SELECT 1', { fields: [{ name: 'one', type: 'INTEGER' }], rows: [{ one: 1 }] });
});

afterEach(() => fake.close());

async function run(secret: string, extra: Record<string, unknown> = {}) {
  const w = await fakeWorker({ env: { BIGQUERY_EMULATOR_HOST: fake.endpoint, SECRET_GCP_KEY: b64(secret) } });
  try {
    const outcome = await runAttempt(w.task(QUERY, { id: 'bq', sql: 'SELECT 1', fetchOne: true, serviceAccount: "{{ secret('GCP_KEY') }}", retryAuto: FAST_RETRY, ...extra }), w.deps, { workerId: 'w1' });
    const logs = JSON.stringify(await w.logLines());
    return { outcome, logs, all: JSON.stringify(outcome) + logs };
  } finally {
    await w.cleanup();
  }
}

describe('BigQuery credentials on the fake BigQuery (wire protocol)', () => {
  it('a serviceAccount key signs every request (the project comes from the key), and neither key nor token appears in logs or outputs', async () => {
    const { outcome, all } = await run(key(privateKey));
    expect(outcome).toMatchObject({ kind: 'result', result: { state: 'SUCCESS', outputs: { row: { one: 1 } } } });
    const tokens = fake.requests.map((r) => r.authorization?.replace('Bearer ', '') ?? '');
    expect(tokens.every((t) => t.split('.').length === 3)).toBe(true);
    expect(fake.requests[0].path).toBe(`/bigquery/v2/projects/${PROJECT}/jobs`);
    for (const secret of [keyBody(privateKey), ...tokens.map((t) => t.split('.')[2])]) expect(all).not.toContain(secret);
  });

  it('a key the service does not accept fails with Google\'s reason, without the key', async () => {
    const other = pair().privateKey;
    const { outcome, all } = await run(key(other));
    expect(outcome).toMatchObject({
      kind: 'result',
      result: { state: 'FAILED', error: { code: 'TASK_FAILED', task: 'bq', message: expect.stringContaining('unauthorized: Request is missing required authentication credential') } },
    });
    expect(all).not.toContain(keyBody(other));
  });

  it.each([
    ['text that is not JSON', `{"type":"service_account","private_key":"${privateKey.slice(0, 80)}`, 'serviceAccount is not a JSON service account key (it does not parse as JSON)'],
    ['a JSON object without a key', JSON.stringify({ type: 'service_account', client_email: EMAIL }), 'serviceAccount is not a service account key: missing or invalid private_key'],
    ['a key that is not PEM', JSON.stringify({ type: 'service_account', client_email: EMAIL, private_key: keyBody(privateKey) }), 'serviceAccount is not a service account key: private_key is not a PEM private key'],
  ])('a malformed serviceAccount (%s) fails naming the task and the property, without quoting it', async (_what, secret, message) => {
    const { outcome, all } = await run(secret);
    expect(outcome).toMatchObject({ kind: 'result', result: { state: 'FAILED', error: { code: 'TASK_FAILED', task: 'bq', property: 'serviceAccount', message } } });
    expect(all).not.toContain(keyBody(privateKey));
    expect(fake.requests).toHaveLength(0);
  });
});
