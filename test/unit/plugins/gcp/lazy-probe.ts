// Run by bigquery-index.test.ts in a child process (bundled by scripts/run-ts.mjs): building the
// catalog and validating GCP tasks must load no Google client library; opening a BigQuery client does.
import { catalog } from '../../../../lib/plugins/catalog';
import { connect } from '../../../../lib/plugins/gcp/bigquery/client';

const loaded = (lib: string) => Object.keys(require.cache).some((f) => f.includes(`/node_modules/${lib}/`));
const LIBS = ['@google-cloud/bigquery', '@google-cloud/storage', '@google-cloud/pubsub', 'google-auth-library'];
catalog().runnable('io.kestra.plugin.gcp.bigquery.Query')!.properties.parse({ projectId: 'p', sql: 'SELECT 1', fetch: true });
catalog().runnable('io.kestra.plugin.gcp.gcs.Upload')!.properties.parse({ from: 'kestra:///a', to: 'gs://b/a' });
catalog().runnable('io.kestra.plugin.gcp.pubsub.Publish')!.properties.parse({ topic: 't', from: { data: 'x' } });
const before = LIBS.filter(loaded);
connect({ env: { BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9' } } as never, { projectId: 'p' }, {});
console.log(JSON.stringify({ before, after: loaded('@google-cloud/bigquery') }));
