// Starts an `aloft server` (LocalServer) on 127.0.0.1:0 for e2e tests and talks to it over real HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServer, type LocalServerOptions } from '../../lib/wiring/local-server';

export interface Harness {
  server: LocalServer;
  url: string;
  logs: Record<string, unknown>[];
  /** A request with a JSON or text body; returns status, headers and the parsed JSON (or text). */
  call(method: string, path: string, opts?: { json?: unknown; text?: string; yaml?: string; body?: BodyInit; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startServer(opts: Partial<LocalServerOptions> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-server-'));
  const logs: Record<string, unknown>[] = [];
  // The test's env adds to the harness's (its data folder, no scheduler loop) rather than replacing it.
  const server = new LocalServer({
    port: 0, pubsub: null, log: (l) => { logs.push(l); }, ...opts,
    env: { ALOFT_DATA_DIR: dataDir, ALOFT_SCHEDULER_INTERVAL_MS: '0', ...opts.env },
  });
  let url: string;
  try {
    ({ url } = await server.listen());
  } catch (err) {
    await server.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    server, url, logs,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      let body: BodyInit | undefined = o.body;
      if (o.json !== undefined) { body = JSON.stringify(o.json); headers['content-type'] ??= 'application/json'; }
      if (o.yaml !== undefined) { body = o.yaml; headers['content-type'] ??= 'application/x-yaml'; }
      if (o.text !== undefined) { body = o.text; headers['content-type'] ??= 'text/plain'; }
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A flow document; `extra` is appended as YAML lines. */
export const flowYaml = (namespace: string, id: string, extra = ''): string => `id: ${id}
namespace: ${namespace}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ execution.id }}"
${extra}`;
