import { parseJdbcUrl, redactUrl, urlProblem } from '../../../../lib/plugins/jdbc/jdbc-url';

describe('parseJdbcUrl', () => {
  it('converts a MySQL URL with host, port, database and properties', () => {
    const u = parseJdbcUrl('mysql', 'jdbc:mysql://127.0.0.1:56982/shop?useSSL=false&allowMultiQueries=true');
    expect(u).toMatchObject({ vendor: 'mysql', host: '127.0.0.1', port: 56982, database: 'shop', params: { usessl: 'false', allowmultiqueries: 'true' } });
  });

  it('accepts the seed URL with a trailing slash and no database', () => {
    const u = parseJdbcUrl('mysql', 'jdbc:mysql://127.0.0.1:56982/');
    expect(u).toMatchObject({ host: '127.0.0.1', port: 56982 });
    expect(u.database).toBeUndefined();
  });

  it('accepts jdbc:mariadb URLs for MySQL and uses the default port when none is given', () => {
    expect(parseJdbcUrl('mysql', 'jdbc:mariadb://db.example.com/app')).toMatchObject({ host: 'db.example.com', port: 3306, database: 'app' });
  });

  it('reads credentials from the user info or from user/password properties', () => {
    expect(parseJdbcUrl('mysql', 'jdbc:mysql://bob:s%40cret@h:1/db')).toMatchObject({ user: 'bob', password: 's@cret' });
    expect(parseJdbcUrl('postgresql', 'jdbc:postgresql://h/db?user=ann&password=pw')).toMatchObject({ user: 'ann', password: 'pw', port: 5432 });
  });

  it('converts a PostgreSQL URL, including the short jdbc:postgresql:database form', () => {
    expect(parseJdbcUrl('postgresql', 'jdbc:postgresql://dev:56982/warehouse?sslmode=require'))
      .toMatchObject({ host: 'dev', port: 56982, database: 'warehouse', params: { sslmode: 'require' } });
    expect(parseJdbcUrl('postgresql', 'jdbc:postgresql:warehouse')).toMatchObject({ host: 'localhost', port: 5432, database: 'warehouse' });
  });

  it('accepts an IPv6 host in brackets', () => {
    expect(parseJdbcUrl('postgresql', 'jdbc:postgresql://[::1]:6543/db')).toMatchObject({ host: '::1', port: 6543 });
  });

  it('converts a SQL Server URL with semicolon properties as in the seed', () => {
    const u = parseJdbcUrl('sqlserver', 'jdbc:sqlserver://localhost:41433;trustServerCertificate=true;databaseName=sales;user=sa');
    expect(u).toMatchObject({ host: 'localhost', port: 41433, database: 'sales', user: 'sa', params: { trustservercertificate: 'true' } });
  });

  it('reads a SQL Server named instance', () => {
    expect(parseJdbcUrl('sqlserver', 'jdbc:sqlserver://db\\SQLEXPRESS;databaseName=x'))
      .toMatchObject({ host: 'db', database: 'x', params: { instancename: 'SQLEXPRESS' } });
  });

  it('converts Oracle thin URLs to an Easy Connect string or a SID descriptor', () => {
    expect(parseJdbcUrl('oracle', 'jdbc:oracle:thin:@db:1521/ORCLPDB1')).toMatchObject({ connectString: 'db:1521/ORCLPDB1', port: 1521 });
    expect(parseJdbcUrl('oracle', 'jdbc:oracle:thin:@//db:1522/svc')).toMatchObject({ connectString: 'db:1522/svc' });
    expect(parseJdbcUrl('oracle', 'jdbc:oracle:thin:scott/tiger@db:1521:ORCL')).toMatchObject({
      user: 'scott', password: 'tiger',
      connectString: '(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521))(CONNECT_DATA=(SID=ORCL)))',
    });
  });

  it('passes an Oracle connect descriptor through', () => {
    const d = '(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=1600))(CONNECT_DATA=(SERVICE_NAME=s)))';
    expect(parseJdbcUrl('oracle', `jdbc:oracle:thin:@${d}`)).toMatchObject({ connectString: d, host: 'h', port: 1600 });
  });

  it('converts ClickHouse URLs to an HTTP endpoint, https when ssl is set', () => {
    expect(parseJdbcUrl('clickhouse', 'jdbc:clickhouse://ch:8123/default')).toMatchObject({ protocol: 'http', host: 'ch', port: 8123, database: 'default' });
    expect(parseJdbcUrl('clickhouse', 'jdbc:clickhouse://ch:8443/db?ssl=true')).toMatchObject({ protocol: 'https' });
    expect(parseJdbcUrl('clickhouse', 'jdbc:clickhouse:https://ch/db')).toMatchObject({ protocol: 'https', port: 8123 });
  });

  it('accepts Redshift URLs in both the redshift and the postgresql form', () => {
    expect(parseJdbcUrl('redshift', 'jdbc:redshift://cluster.example.com:5439/dev')).toMatchObject({ port: 5439, database: 'dev' });
    expect(parseJdbcUrl('redshift', 'jdbc:postgresql://cluster.example.com:5439/dev')).toMatchObject({ port: 5439 });
  });

  it('rejects a URL of another database, naming the expected prefix', () => {
    expect(() => parseJdbcUrl('postgresql', 'jdbc:mysql://h/db')).toThrow(/must be a JDBC URL starting with jdbc:postgresql:\/\//);
    expect(urlProblem('mysql', 'mysql://h/db')).toMatch(/jdbc:mysql:\/\//);
  });

  it('rejects an invalid port and several hosts', () => {
    expect(urlProblem('mysql', 'jdbc:mysql://h:99999/db')).toMatch(/invalid port: 99999/);
    expect(urlProblem('mysql', 'jdbc:mysql://a:1,b:2/db')).toMatch(/several hosts/);
  });

  it('reports the problem as a failed task on the url property', () => {
    try {
      parseJdbcUrl('mysql', 'nope');
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'url' } });
    }
  });
});

describe('redactUrl', () => {
  it('masks passwords wherever a URL carries them', () => {
    expect(redactUrl('jdbc:mysql://bob:pw@h/db')).toBe('jdbc:mysql://bob:***@h/db');
    expect(redactUrl('jdbc:postgresql://h/db?user=a&password=pw&x=1')).toBe('jdbc:postgresql://h/db?user=a&password=***&x=1');
    expect(redactUrl('jdbc:sqlserver://h;password=pw;x=1')).toBe('jdbc:sqlserver://h;password=***;x=1');
    expect(redactUrl('jdbc:oracle:thin:scott/tiger@db:1521/s')).toBe('jdbc:oracle:thin:scott/***@db:1521/s');
  });
});
