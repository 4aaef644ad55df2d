// `aloft server` as a child process on a data directory, and the API calls the crash test and the
// chaos run make against it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The checkout this runs from: the first folder up from here with bin/aloft.js. Scripts run bundled
 * from node_modules/.cache (scripts/run-ts.mjs), so __dirname alone does not say where it is.
 */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'aloft.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Aloft checkout above ${from}`);
  }
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `aloft server --data dataDir --flows flowsDir` on a free port; resolves once it listens. */
export function startServerProcess(dataDir: string, flowsDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'aloft.js'), 'server', '--port', '0', '--data', dataDir, '--flows', flowsDir], {
    env: { ...process.env, ALOFT_SCHEDULER_INTERVAL_MS: '0', ALOFT_RECOVERY_INTERVAL_MS: '1000', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-20_000); });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1], exited });
    });
    void exited.then((code) => reject(new Error(`aloft server exited with ${code} before listening: ${out}\n${err}`)));
  });
}

/** Stops a server process by its pid (SIGKILL when it is still there) and waits for its exit. */
export async function killServerProcess(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await server.exited;
}

/** A JSON API call; throws with the status and body on an error answer. */
export async function api(url: string, path: string, init?: RequestInit): Promise<any> {
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Every execution of a namespace, by id (paged). */
export async function allExecutions(url: string, namespace: string): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  let token: string | undefined;
  do {
    const page = await api(url, `/api/v1/executions/search?namespace=${namespace}&size=500${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
    for (const e of page.results) out.set(e.id, e);
    token = page.nextPageToken;
  } while (token);
  return out;
}
