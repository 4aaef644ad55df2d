import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreePort } from '../../../lib/dev/emulators';
import { candidateRange, ephemeralRange, isPortTaken, listenOnFreePort, portOf } from '../../../lib/dev/ports';
import { freePort, logSince, spawnService, waitReady } from '../../../lib/dev/processes';

const close = (s: Server): Promise<void> => new Promise((done) => s.close(() => done()));

describe('the ports the emulated cloud picks', () => {
  it('are drawn below the kernel\'s ephemeral range, or above it when below leaves no room', () => {
    expect(candidateRange({ low: 32768, high: 60999 })).toEqual({ low: 10000, high: 32767 });
    expect(candidateRange({ low: 1024, high: 49151 })).toEqual({ low: 49152, high: 65535 });
    expect(candidateRange({ low: 1024, high: 65000 })).toBeUndefined();
    expect(candidateRange(undefined)).toBeUndefined();
  });

  it('read the ephemeral range from the kernel\'s text, and none from text that is not a range', () => {
    expect(ephemeralRange(() => '32768\t60999\n')).toEqual({ low: 32768, high: 60999 });
    expect(ephemeralRange(() => 'nonsense')).toBeUndefined();
    expect(ephemeralRange(() => { throw new Error('ENOENT'); })).toBeUndefined();
  });

  it('skip a candidate that is taken and bind the next one', async () => {
    // A taken port whose next one is free, so the range holds exactly one free candidate.
    let taken = await listenOnFreePort();
    for (let i = 0; i < 20; i++) {
      const next = createServer();
      const free = await new Promise<boolean>((ok) => { next.once('error', () => ok(false)); next.listen(portOf(taken) + 1, '127.0.0.1', () => ok(true)); });
      if (free) { await close(next); break; }
      await close(taken);
      taken = await listenOnFreePort();
    }
    const range = { low: portOf(taken), high: portOf(taken) + 1 };
    const picks = [0, 0.99];
    const s = await listenOnFreePort(() => picks.shift() ?? 0.99, range);
    try {
      expect(portOf(s)).toBe(portOf(taken) + 1);
    } finally {
      await close(s);
      await close(taken);
    }
  });

  it('fall back to a port the kernel picks when no candidate is free', async () => {
    const taken = await listenOnFreePort();
    const s = await listenOnFreePort(() => 0, { low: portOf(taken), high: portOf(taken) });
    try {
      expect(portOf(s)).not.toBe(portOf(taken));
    } finally {
      await close(s);
      await close(taken);
    }
  });

  it('lie outside the ephemeral range here, for the emulated cloud and for scripts/services alike', async () => {
    const ephemeral = ephemeralRange();
    if (!ephemeral || !candidateRange(ephemeral)) return;
    const outside = (port: number): boolean => port < ephemeral.low || port > ephemeral.high;
    expect(outside(await freePort())).toBe(true);
    const printed = Number(execFileSync(process.execPath, [join(__dirname, '../../../scripts/services/free-port.cjs')], { encoding: 'utf8' }).trim());
    expect(Number.isInteger(printed) && outside(printed)).toBe(true);
    // The port printed is free: it can be bound.
    const s = createServer();
    await new Promise<void>((ok, fail) => { s.once('error', fail); s.listen(printed, '127.0.0.1', () => ok()); });
    await close(s);
  });
});

describe('a service started on a free port', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-ports-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts again on another port when its port was taken between the pick and its bind', async () => {
    const log = join(dir, 'svc.log');
    const ports = [20001, 20002];
    const tried: number[] = [];
    const got = await onFreePort(log, async (port) => {
      tried.push(port);
      if (tried.length === 1) {
        writeFileSync(log, 'Exception in thread "main" java.net.BindException: Address already in use\n\tat sun.nio.ch.Net.bind0(Native Method)\n');
        throw new Error('firestore-emulator exited during startup (exit code 1)');
      }
      return port;
    }, async () => ports.shift()!);
    expect(tried).toEqual([20001, 20002]);
    expect(got).toBe(20002);
  });

  it('judges each try by what that try wrote to the log, not by an earlier one\'s bind failure', async () => {
    const log = join(dir, 'old.log');
    writeFileSync(log, 'java.net.BindException: Address already in use (a run of yesterday)\n');
    let tries = 0;
    await expect(onFreePort(log, async () => {
      tries++;
      writeFileSync(log, 'Error: no Java runtime\n', { flag: 'a' });
      throw new Error('firestore-emulator exited during startup (exit code 1)');
    }, async () => 20005)).rejects.toThrow('exited during startup');
    expect(tries).toBe(1);
  });

  it('does not start another one when the last would not stop', async () => {
    let tries = 0;
    await expect(onFreePort(join(dir, 'none.log'), async () => {
      tries++;
      throw new Error('storage-emulator was not ready after 90 s; storage-emulator (pid 1) would not stop; EADDRINUSE');
    }, async () => 20006)).rejects.toThrow('would not stop');
    expect(tries).toBe(1);
  });

  it('is ready only once its own log says it listens, however early something answers on its port', async () => {
    const log = join(dir, 'svc.log');
    const service = spawnService('fake', process.execPath, ['-e', "setTimeout(() => { console.log('listening on 4242'); setInterval(() => undefined, 1000); }, 400)"], { logFile: log });
    try {
      await waitReady(service, async () => true, 10_000, { logSays: 'listening on 4242' });
      expect(logSince(log, 0)).toContain('listening on 4242');
    } finally {
      await service.stop();
    }
  });

  it('fails at once when it failed for another reason', async () => {
    const tried: number[] = [];
    await expect(onFreePort(join(dir, 'none.log'), async (port) => {
      tried.push(port);
      throw new Error('java not found');
    }, async () => 20003)).rejects.toThrow('java not found');
    expect(tried).toHaveLength(1);
  });

  it('gives up after three ports taken', async () => {
    let tries = 0;
    await expect(onFreePort(join(dir, 'none.log'), async () => {
      tries++;
      throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:20004');
    }, async () => 20004)).rejects.toThrow('EADDRINUSE');
    expect(tries).toBe(3);
  });

  it('tells a taken port from other failures by the message or the log', () => {
    expect(isPortTaken('java.net.BindException: Address already in use')).toBe(true);
    expect(isPortTaken('Error: listen EADDRINUSE: address already in use')).toBe(true);
    expect(isPortTaken('OutOfMemoryError')).toBe(false);
  });
});
