// Serves a registered function on 127.0.0.1 through functions-framework's own server (the one
// `functions-framework --target` runs), for `aloft dev` and tests. functions-framework listens on
// every interface by default; this binds to loopback only.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { registrations } from '../wiring/handlers';

export interface ServedFunction {
  entryPoint: string;
  port: number;
  url: string;
  /** Stops accepting requests and waits up to `graceMs` (default 5 s) for those in flight, then cuts them. */
  close(graceMs?: number): Promise<void>;
}

let registered = false;

/**
 * Registers every manifest entry point with functions-framework, with the handlers functions/*.ts
 * register when deployed (lib/wiring/handlers.ts). Idempotent.
 */
export function registerFunctions(): void {
  if (registered) return;
  registered = true;
  for (const r of registrations()) {
    if (r.kind === 'http') functions.http(r.entryPoint, r.handler);
    else functions.cloudEvent(r.entryPoint, r.handler);
  }
}

/** Listens for the function registered as `entryPoint` (registerFunctions() first). Port 0 picks a free one. */
export async function serveFunction(entryPoint: string, port = 0, host = '127.0.0.1'): Promise<ServedFunction> {
  const server: Server = getTestServer(entryPoint);
  // Long-running requests (a worker waiting on a task) must not be cut by Node's default timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    entryPoint, port: bound, url: `http://${host}:${bound}`,
    close: (graceMs = 5_000) => new Promise<void>((resolve) => {
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}
