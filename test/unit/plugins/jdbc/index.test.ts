import { createCatalog } from '../../../../lib/plugins/catalog';
import { jdbcTasks } from '../../../../lib/plugins/jdbc';

describe('jdbcTasks', () => {
  it('define Query and Batch for every Kestra 0.4 JDBC plugin, in the jdbc group', () => {
    const types = jdbcTasks.map((t) => t.type).sort();
    const vendors = ['clickhouse', 'mysql', 'oracle', 'postgresql', 'redshift', 'sqlserver', 'vectorwise', 'vertica'];
    expect(types).toEqual(vendors.flatMap((v) => [`io.kestra.plugin.jdbc.${v}.Batch`, `io.kestra.plugin.jdbc.${v}.Query`]).sort());
    expect(new Set(jdbcTasks.map((t) => t.group))).toEqual(new Set(['jdbc']));
  });

  it('register in a catalog without clashes', () => {
    const catalog = createCatalog(jdbcTasks, []);
    expect(catalog.runnable('io.kestra.plugin.jdbc.sqlserver.Batch')?.group).toBe('jdbc');
  });

  it('let MySQL Query render sql itself, for inputFile', () => {
    expect(jdbcTasks.find((t) => t.type === 'io.kestra.plugin.jdbc.mysql.Query')?.lazyProperties).toEqual(['sql']);
  });
});

describe('Vertica and Vectorwise', () => {
  it.each(['vertica', 'vectorwise'])('are refused when a %s flow is deployed, saying no Node.js driver serves them', async (vendor) => {
    const { LocalRuntime } = await import('../../../../lib/runtime/embedded/runtime');
    const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: '/nonexistent/never-written' } });
    const yaml = `id: v\nnamespace: io.aloft.tests\ntasks:\n  - id: q\n    type: io.kestra.plugin.jdbc.${vendor}.Query\n    url: jdbc:${vendor}://h:1/db\n    sql: select 1\n`;
    const err = await runtime.deploy(yaml, 'v.yml').then(() => undefined, (e) => e);
    expect(err?.message ?? '').toMatch(/not supported: no Node\.js driver for (Vertica|Actian Vectorwise)/);
    await runtime.stop();
  });

  it('fail at run time with NOT_SUPPORTED if they get past validation', async () => {
    const def = jdbcTasks.find((t) => t.type === 'io.kestra.plugin.jdbc.vertica.Query');
    await expect(def?.run({ signal: new AbortController().signal } as never, { url: 'jdbc:vertica://h/db', sql: 'select 1' }))
      .rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/^not supported: no Node\.js driver for Vertica/) });
  });
});
