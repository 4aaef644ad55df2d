// A child process of the emulated cloud that serves one function (lib/dev/function-hosts.ts starts
// it): ALOFT_DEV_HOST = {"entryPoints": [...], "port": P}. The function reads the rest of its
// configuration from this process's env, as it does when deployed.
import { registerFunctions, serveFunction, type ServedFunction } from './serve';
import { closeCloud } from '../wiring/cloud-entry';
import { HOST_READY } from './function-hosts';

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.ALOFT_DEV_HOST ?? '{}') as { entryPoints?: string[]; port?: number };
  if (!spec.entryPoints?.length) throw new Error('ALOFT_DEV_HOST names no entry point');
  registerFunctions();
  const served: ServedFunction[] = [];
  for (const entryPoint of spec.entryPoints) served.push(await serveFunction(entryPoint, spec.entryPoints.length === 1 ? spec.port ?? 0 : 0));
  const stop = async (): Promise<void> => {
    await Promise.all(served.map((s) => s.close()));
    await closeCloud();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  process.stdout.write(`${HOST_READY} ${JSON.stringify(served.map((s) => ({ entryPoint: s.entryPoint, url: s.url })))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`function host failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
