import { sslConfig } from '../../../../../lib/plugins/jdbc/dialects/postgres';

describe('sslConfig', () => {
  it('is off unless asked for', () => {
    expect(sslConfig(undefined, {})).toBe(false);
    expect(sslConfig({ sslMode: 'DISABLE', ssl: true }, {})).toBe(false);
  });

  it('verifies the server fully for ssl: true, as pgjdbc does', () => {
    expect(sslConfig({ ssl: true }, {})).toMatchObject({ rejectUnauthorized: true });
  });

  it('only encrypts for REQUIRE and checks the chain but not the host name for VERIFY_CA', () => {
    expect(sslConfig({ sslMode: 'REQUIRE' }, {})).toMatchObject({ rejectUnauthorized: false });
    const ca = sslConfig({ sslMode: 'VERIFY_CA', sslRootCert: 'ROOT', sslCert: 'CERT', sslKey: 'KEY', sslKeyPassword: 'pw' }, {});
    expect(ca).toMatchObject({ rejectUnauthorized: true, ca: 'ROOT', cert: 'CERT', key: 'KEY', passphrase: 'pw' });
    expect(ca && ca.checkServerIdentity?.('h', {} as never)).toBeUndefined();
  });

  it('reads sslmode from the URL when no property sets it', () => {
    expect(sslConfig(undefined, { sslmode: 'verify-full' })).toMatchObject({ rejectUnauthorized: true });
    expect(sslConfig(undefined, { sslmode: 'disable', ssl: 'true' })).toBe(false);
  });
});
