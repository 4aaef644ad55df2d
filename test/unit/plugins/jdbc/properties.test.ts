import { batchPropertiesFor, queryPropertiesFor } from '../../../../lib/plugins/jdbc/properties';

const query = { url: 'jdbc:mysql://127.0.0.1:56982/', username: 'mysql_user', password: 'mysql_passwd', sql: 'select * from users', store: true };

describe('Query properties', () => {
  it("accept the seed's MySQL Query", () => {
    expect(queryPropertiesFor('mysql').parse(query)).toEqual(query);
  });

  it("accept every Kestra 0.4 Query property", () => {
    const all = { ...query, autoCommit: false, fetchOne: false, fetch: true, timeZoneId: 'Europe/Paris', fetchSize: 500, inputFile: 'kestra:///a/b' };
    expect(queryPropertiesFor('mysql').safeParse(all).success).toBe(true);
  });

  it('reject unknown properties', () => {
    const r = queryPropertiesFor('mysql').safeParse({ ...query, fetchsize: 10 });
    expect(r.success).toBe(false);
  });

  it('accept the PostgreSQL SSL properties only on PostgreSQL', () => {
    const ssl = { url: 'jdbc:postgresql://h/db', sql: 'select 1', ssl: true, sslMode: 'VERIFY_CA', sslRootCert: 'PEM' };
    expect(queryPropertiesFor('postgresql').safeParse(ssl).success).toBe(true);
    expect(queryPropertiesFor('redshift').safeParse({ ...ssl, url: 'jdbc:redshift://h/db' }).success).toBe(false);
  });

  it('take booleans and sizes rendered as text', () => {
    const parsed = queryPropertiesFor('mysql').parse({ ...query, store: 'true', fetchSize: '250' });
    expect(parsed).toMatchObject({ store: true, fetchSize: 250 });
  });

  it('reject a URL of another database, on the url property', () => {
    const r = queryPropertiesFor('postgresql').safeParse({ ...query });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['url'] });
    expect(r.error?.issues[0].message).toMatch(/jdbc:postgresql:\/\//);
  });

  it('leave a templated URL to be checked once rendered', () => {
    expect(queryPropertiesFor('postgresql').safeParse({ ...query, url: '{{ envs.pg_url }}' }).success).toBe(true);
  });

  it('reject an unknown time zone and a zero fetch size', () => {
    expect(queryPropertiesFor('mysql').safeParse({ ...query, timeZoneId: 'Mars/Olympus' }).success).toBe(false);
    expect(queryPropertiesFor('mysql').safeParse({ ...query, fetchSize: 0 }).success).toBe(false);
  });

  it.each(['vertica', 'vectorwise'] as const)('fail validation for %s, which no Node.js driver serves', (vendor) => {
    const r = queryPropertiesFor(vendor).safeParse({ url: `jdbc:${vendor}://h/db`, sql: 'select 1' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/^not supported: no Node\.js driver for /);
  });
});

describe('Batch properties', () => {
  const batch = {
    url: 'jdbc:sqlserver://localhost:41433;trustServerCertificate=true', username: 'sa', password: 'Sqls3rv3r_Pa55word!',
    from: '{{ inputs.query.uri }}', sql: `insert into users values( ${Array(23).fill('?').join(', ')} )`,
  };

  it("accept the seed's SQL Server Batch", () => {
    expect(batchPropertiesFor('sqlserver').parse(batch)).toEqual(batch);
  });

  it('accept chunk, columns and timeZoneId', () => {
    expect(batchPropertiesFor('sqlserver').safeParse({ ...batch, chunk: 10, columns: ['a', 'b'], timeZoneId: 'UTC' }).success).toBe(true);
  });

  it('require from and sql', () => {
    const r = batchPropertiesFor('postgresql').safeParse({ url: 'jdbc:postgresql://h/db' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['from', 'sql']));
  });

  it('reject a Query-only property', () => {
    expect(batchPropertiesFor('sqlserver').safeParse({ ...batch, store: true }).success).toBe(false);
  });
});
