// Where the emulated cloud runs its functions: in this process (served by functions-framework on
// 127.0.0.1), or in a child process per function so that a test can kill it and start it again on
// the same port (lib/dev/host-main.ts). Either way each function has its own port, as on Cloud Run.
import { join } from 'node:path';
import { registerFunctions, serveFunction, type ServedFunction } from './serve';
import type { FunctionSpec } from '../wiring/manifest';
import { projectRoot, spawnService, waitReady, type Service } from './processes';

export interface FunctionHost {
  spec: FunctionSpec;
  port: number;
  url: string;
  /** True when the function runs in a child process (it can then be killed and restarted). */
  isolated: boolean;
  stop(): Promise<void>;
}

export async function serveInProcess(spec: FunctionSpec, port: number): Promise<FunctionHost> {
  registerFunctions();
  const served: ServedFunction = await serveFunction(spec.entryPoint, port);
  return { spec, port: served.port, url: served.url, isolated: false, stop: () => served.close() };
}

export const HOST_READY = 'ALOFT_FUNCTION_HOST_READY';

export interface ChildHost extends FunctionHost {
  service: Service;
  kill(): Promise<void>;
}

/** Starts the function in its own Node process (TypeScript bundled on the fly by scripts/run-ts.mjs). */
export async function serveInChild(spec: FunctionSpec, port: number, env: Record<string, string>, logDir: string, timeoutS = 120): Promise<ChildHost> {
  const root = projectRoot();
  let ready = false;
  const service = spawnService(`function ${spec.name}`, process.execPath, [join(root, 'scripts/run-ts.mjs'), join(root, 'lib/dev/host-main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, ALOFT_DEV_HOST: JSON.stringify({ entryPoints: [spec.entryPoint], port }) },
    logFile: join(logDir, `function-${spec.name}.log`),
    onLine: (line) => { if (line.includes(HOST_READY)) ready = true; },
  });
  await waitReady(service, async () => ready, timeoutS * 1000);
  return {
    spec, port, url: `http://127.0.0.1:${port}`, isolated: true, service,
    stop: () => service.stop(),
    kill: () => service.kill(),
  };
}
