// Free ports for the services the emulated cloud starts. A port is picked below the kernel's ephemeral
// range: a port from that range, once released, can be handed by the kernel to any bind(0) or outgoing
// connection before its service binds it (a JVM emulator binds two ephemeral ports of its own while it
// starts), and the service then dies with "Address already in use". Candidates are still checked by
// binding them, and a starter retries on a new port when the bind fails anyway (emulators.ts).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface PortRange {
  low: number;
  high: number;
}

/** The range candidates are drawn from: below the ephemeral range when it leaves room, else above it. */
export function candidateRange(ephemeral: PortRange | undefined): PortRange | undefined {
  if (!ephemeral) return undefined;
  if (ephemeral.low - 1 - 10_000 >= 1_000) return { low: 10_000, high: ephemeral.low - 1 };
  if (65_535 - (ephemeral.high + 1) >= 1_000) return { low: ephemeral.high + 1, high: 65_535 };
  return undefined;
}

/** The kernel's ephemeral port range (Linux), or undefined where it cannot be read. */
export function ephemeralRange(read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): PortRange | undefined {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    return Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low ? { low, high } : undefined;
  } catch {
    return undefined;
  }
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** A server listening on a free port of 127.0.0.1, outside the ephemeral range where possible. */
export async function listenOnFreePort(random: () => number = Math.random, range = candidateRange(ephemeralRange())): Promise<Server> {
  if (range) {
    for (let i = 0; i < 50; i++) {
      const s = await listen(range.low + Math.floor(random() * (range.high - range.low + 1)));
      if (s) return s;
    }
  }
  const s = await listen(0);
  if (!s) throw new Error('no free port on 127.0.0.1');
  return s;
}

export const portOf = (s: Server): number => (s.address() as { port: number }).port;

/** Whether a service's failure to start was a port taken under it. */
export const isPortTaken = (message: string): boolean => /BindException|Address already in use|EADDRINUSE/.test(message);
