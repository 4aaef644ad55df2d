// Loads a vendor's dialect on first use, so a worker only loads the drivers its flows need.
import { AloftError, ErrorCode } from '../../../model/errors';
import type { Dialect } from '../dialect';
import type { Vendor } from '../jdbc-url';

/** Vendors Kestra 0.4 has a plugin for but no Node.js driver can serve; why, for the message. */
export const UNSUPPORTED: Readonly<Partial<Record<Vendor, string>>> = {
  vertica: 'not supported: no Node.js driver for Vertica that can stream a result set with backpressure ' +
    '(vertica-nodejs has no cursor), so Query could not keep tables out of memory',
  vectorwise: 'not supported: no Node.js driver for Actian Vectorwise (Actian ships JDBC, ODBC and .NET clients only)',
};

export function notSupported(vendor: Vendor): AloftError | undefined {
  const reason = UNSUPPORTED[vendor];
  return reason ? new AloftError(ErrorCode.NOT_SUPPORTED, reason) : undefined;
}

export async function loadDialect(vendor: Vendor): Promise<Dialect> {
  switch (vendor) {
    case 'mysql': return (await import('./mysql')).mysqlDialect;
    case 'postgresql': return (await import('./postgres')).postgresDialect;
    case 'redshift': return (await import('./postgres')).redshiftDialect;
    case 'sqlserver': return (await import('./sqlserver')).sqlServerDialect;
    case 'clickhouse': return (await import('./clickhouse')).clickHouseDialect;
    case 'oracle': return (await import('./oracle')).oracleDialect;
    default: throw notSupported(vendor) ?? new AloftError(ErrorCode.NOT_SUPPORTED, `not supported: ${vendor}`);
  }
}
