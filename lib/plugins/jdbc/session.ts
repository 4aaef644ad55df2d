// Opens a database session for one task run and guarantees it is closed: on success, on error, and
// when the run is killed or times out (the running statement is cancelled on the server first).
import type { TaskContext } from '../types';
import type { DbSession, Dialect, SslOptions } from './dialect';
import { loadDialect } from './dialects';
import { abortError, describe, taskFailed } from './errors';
import { parseJdbcUrl, type Vendor } from './jdbc-url';
import type { TimeZone } from './time-zone';

export interface SessionSpec {
  vendor: Vendor;
  url: string;
  username?: string;
  password?: string;
  zone: TimeZone;
  ssl?: SslOptions;
  localInfile?: string;
}

export async function withSession<T>(ctx: TaskContext, spec: SessionSpec, use: (session: DbSession, dialect: Dialect) => Promise<T>): Promise<T> {
  if (ctx.signal.aborted) throw abortError(ctx.signal);
  const url = parseJdbcUrl(spec.vendor, spec.url);
  const dialect = await loadDialect(spec.vendor);
  const secrets = [spec.password, url.password];
  const connecting = dialect.connect({ url, username: spec.username, password: spec.password, zone: spec.zone, ssl: spec.ssl, localInfile: spec.localInfile });
  let session: DbSession;
  try {
    session = await untilAborted(connecting, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) {
      // A connection that completes after the kill is closed at once.
      connecting.then((s) => s.close(), () => undefined);
      throw abortError(ctx.signal);
    }
    const user = spec.username ?? url.user;
    throw taskFailed(
      `cannot connect to ${dialect.label} at ${url.host}:${url.port}${user ? ` as ${user}` : ''}: ${describe(err, secrets)}`,
      { property: 'url' },
    );
  }
  const onAbort = (): void => { void session.cancel().finally(() => session.close()); };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const work = use(session, dialect);
  // After a kill the driver may report the broken statement late, or never: the task settles on the
  // signal, and whatever the driver says afterwards is ignored.
  work.catch(() => undefined);
  try {
    return await untilAborted(work, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await session.close();
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
