// Run by bigquery-index.test.ts in a child process (bundled by scripts/run-ts.mjs): building the
// catalog and validating a BigQuery task must not load @google-cloud/bigquery; opening a client does.
import { catalog } from '../../../../lib/plugins/catalog';
import { connect } from '../../../../lib/plugins/gcp/bigquery/client';

const loaded = () => Object.keys(require.cache).some((f) => f.includes('@google-cloud/bigquery') || f.includes('google-auth-library'));
const def = catalog().runnable('io.kestra.plugin.gcp.bigquery.Query')!;
def.properties.parse({ projectId: 'p', sql: 'SELECT 1', fetch: true });
const before = loaded();
connect({ env: { BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9' } } as never, { projectId: 'p' }, {});
console.log(JSON.stringify({ before, after: loaded() }));
