// JDBC URLs (what Kestra flows carry) converted to what the Node drivers need.
import { AloftError, ErrorCode } from '../../model/errors';

export const Vendor = {
  mysql: 'mysql', postgresql: 'postgresql', sqlserver: 'sqlserver', clickhouse: 'clickhouse',
  oracle: 'oracle', redshift: 'redshift', vertica: 'vertica', vectorwise: 'vectorwise',
} as const;
export type Vendor = (typeof Vendor)[keyof typeof Vendor];

/** A parsed JDBC URL. `params` keeps every URL property, keyed in lower case. */
export interface JdbcUrl {
  vendor: Vendor;
  host: string;
  port: number;
  database?: string;
  user?: string;
  password?: string;
  params: Record<string, string>;
  /** Oracle only: the Easy Connect string or descriptor that oracledb takes. */
  connectString?: string;
  /** ClickHouse only: http or https. */
  protocol?: 'http' | 'https';
}

/** The URL prefixes each vendor accepts, first one shown in errors. */
export const URL_PREFIXES: Readonly<Record<Vendor, readonly string[]>> = {
  mysql: ['jdbc:mysql:', 'jdbc:mariadb:'],
  postgresql: ['jdbc:postgresql:'],
  redshift: ['jdbc:redshift:', 'jdbc:postgresql:'],
  sqlserver: ['jdbc:sqlserver:'],
  clickhouse: ['jdbc:clickhouse:', 'jdbc:ch:'],
  oracle: ['jdbc:oracle:thin:'],
  vertica: ['jdbc:vertica:'],
  vectorwise: ['jdbc:ingres:', 'jdbc:vectorwise:'],
};

const DEFAULT_PORTS: Readonly<Record<Vendor, number>> = {
  mysql: 3306, postgresql: 5432, redshift: 5439, sqlserver: 1433, clickhouse: 8123, oracle: 1521, vertica: 5433, vectorwise: 27839,
};

const invalid = (message: string): AloftError => new AloftError(ErrorCode.TASK_FAILED, message, { property: 'url' });

/** Checks the URL's form without connecting; returns a message when it is wrong. */
export function urlProblem(vendor: Vendor, url: string): string | undefined {
  try {
    parseJdbcUrl(vendor, url);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function parseJdbcUrl(vendor: Vendor, url: string): JdbcUrl {
  const prefix = URL_PREFIXES[vendor].find((p) => url.toLowerCase().startsWith(p));
  if (!prefix) {
    throw invalid(`url must be a JDBC URL starting with ${URL_PREFIXES[vendor][0]}// for ${vendor}, got "${redactUrl(url)}"`);
  }
  const rest = url.slice(prefix.length);
  switch (vendor) {
    case 'sqlserver': return parseSqlServer(rest);
    case 'oracle': return parseOracle(rest);
    case 'clickhouse': return parseClickHouse(rest);
    default: return parseHostUrl(vendor, rest);
  }
}

/** `//[user[:password]@]host[:port][/database][?k=v&...]`, as MySQL, PostgreSQL, Redshift and Vertica write it. */
function parseHostUrl(vendor: Vendor, rest: string): JdbcUrl {
  let body = rest;
  // jdbc:postgresql:database and jdbc:postgresql:/ mean localhost.
  if (!body.startsWith('//')) body = `//localhost/${body.replace(/^\//, '')}`;
  const q = body.indexOf('?');
  const query = q >= 0 ? body.slice(q + 1) : '';
  body = q >= 0 ? body.slice(2, q) : body.slice(2);
  const slash = body.indexOf('/');
  let authority = slash >= 0 ? body.slice(0, slash) : body;
  const database = slash >= 0 ? decode(body.slice(slash + 1)) : undefined;
  let user: string | undefined;
  let password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const info = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = info.indexOf(':');
    user = decode(colon >= 0 ? info.slice(0, colon) : info);
    password = colon >= 0 ? decode(info.slice(colon + 1)) : undefined;
  }
  if (authority.includes(',')) throw invalid(`url lists several hosts (${authority}); give one host`);
  const { host, port } = hostPort(authority || 'localhost', DEFAULT_PORTS[vendor]);
  const params = parseQuery(query, '&');
  return {
    vendor, host, port, database: database || undefined, params,
    user: params.user ?? user, password: params.password ?? password,
  };
}

/** `//host[\instance][:port][;prop=value;...]` */
function parseSqlServer(rest: string): JdbcUrl {
  if (!rest.startsWith('//')) throw invalid('url must look like jdbc:sqlserver://host:port;databaseName=db');
  const [authority, ...props] = rest.slice(2).split(';');
  const params = parseQuery(props.join(';'), ';');
  let server = authority || params.servername || 'localhost';
  let instance = params.instancename;
  const bs = server.indexOf('\\');
  if (bs >= 0) {
    instance = server.slice(bs + 1).split(':')[0];
    server = server.slice(0, bs) + (server.includes(':', bs) ? server.slice(server.indexOf(':', bs)) : '');
  }
  const { host, port } = hostPort(server, params.portnumber ? Number(params.portnumber) : DEFAULT_PORTS.sqlserver);
  if (instance) params.instancename = instance;
  return {
    vendor: 'sqlserver', host, port, database: params.databasename ?? params.database, params,
    user: params.user ?? params.username, password: params.password,
  };
}

/**
 * `[user/password]@host:port/service`, `@host:port:SID`, `@//host:port/service` or `@(DESCRIPTION=...)`.
 */
function parseOracle(rest: string): JdbcUrl {
  const at = rest.indexOf('@');
  if (at < 0) throw invalid('url must look like jdbc:oracle:thin:@host:port/service');
  let user: string | undefined;
  let password: string | undefined;
  if (at > 0) [user, password] = rest.slice(0, at).split('/');
  let target = rest.slice(at + 1);
  const q = target.indexOf('?');
  const params = q >= 0 ? parseQuery(target.slice(q + 1), '&') : {};
  if (q >= 0) target = target.slice(0, q);
  if (target.startsWith('(')) {
    const host = /\(HOST\s*=\s*([^)]+)\)/i.exec(target)?.[1] ?? '';
    const port = Number(/\(PORT\s*=\s*(\d+)\)/i.exec(target)?.[1] ?? DEFAULT_PORTS.oracle);
    return { vendor: 'oracle', host, port, params, user, password, connectString: target };
  }
  target = target.replace(/^\/\//, '');
  const sid = /^([^:/]+):(\d+):([^/:]+)$/.exec(target);
  if (sid) {
    const [, host, port, name] = sid;
    return {
      vendor: 'oracle', host, port: Number(port), database: name, params, user, password,
      connectString: `(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=${host})(PORT=${port}))(CONNECT_DATA=(SID=${name})))`,
    };
  }
  const m = /^([^:/]+)(?::(\d+))?(?:\/(.+))?$/.exec(target);
  if (!m) throw invalid(`url has an Oracle address oracledb cannot use: ${target}`);
  const port = Number(m[2] ?? DEFAULT_PORTS.oracle);
  return {
    vendor: 'oracle', host: m[1], port, database: m[3], params, user, password,
    connectString: `${m[1]}:${port}${m[3] ? `/${m[3]}` : ''}`,
  };
}

/** `//host[:port][/database][?params]`, also `http://`/`https://` after `jdbc:clickhouse:`. */
function parseClickHouse(rest: string): JdbcUrl {
  let protocol: 'http' | 'https' | undefined;
  let body = rest;
  const proto = /^(https?):/i.exec(body);
  if (proto) {
    protocol = proto[1].toLowerCase() as 'http' | 'https';
    body = body.slice(proto[0].length);
  }
  const parsed = parseHostUrl('clickhouse', body);
  const ssl = parsed.params.ssl === 'true' || parsed.params.ssl === '1';
  return { ...parsed, protocol: protocol ?? (ssl ? 'https' : 'http') };
}

function hostPort(authority: string, defaultPort: number): { host: string; port: number } {
  // [ipv6]:port
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority);
  if (v6) return { host: v6[1], port: v6[2] ? checkPort(v6[2]) : defaultPort };
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return { host: authority, port: defaultPort };
  return { host: authority.slice(0, colon) || 'localhost', port: checkPort(authority.slice(colon + 1)) };
}

function checkPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw invalid(`url has an invalid port: ${text}`);
  return port;
}

function parseQuery(query: string, separator: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const part of query.split(separator)) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decode(eq >= 0 ? part.slice(0, eq) : part).trim().toLowerCase();
    if (key && key !== '__proto__') params[key] = decode(eq >= 0 ? part.slice(eq + 1) : '').trim();
  }
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The URL with any password in it masked, for messages. */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/\/[^/@:;]*:)[^@/;]*@/, '$1***@')
    .replace(/(password=)[^&;]*/gi, '$1***')
    .replace(/(thin:[^/@]*\/)[^@]*@/i, '$1***@');
}

/** Interprets the usual truthy URL property spellings. */
export const isTrue = (value: string | undefined): boolean => value !== undefined && ['true', '1', 'yes'].includes(value.toLowerCase());
