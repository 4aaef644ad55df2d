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
