// Run by http-request.test.ts in a child process (bundled by scripts/run-ts.mjs): building the catalog
// and validating an HTTP task must not load undici; only sending a request does.
import { catalog } from '../../../../lib/plugins/catalog';

const loaded = (): boolean => Object.keys(require.cache).some((f) => f.includes('/node_modules/undici/'));
catalog().runnable('io.kestra.plugin.core.http.Request')!.properties.parse({ uri: 'http://127.0.0.1:9/' });
console.log(JSON.stringify({ undici: loaded() }));
