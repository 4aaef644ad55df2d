// A real node:http server on loopback for the HTTP task tests: each path is one behaviour.
import busboy from 'busboy';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fixture {
  url: string;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

const echo: Route = (req, res, body) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') }));
};

const routes: Record<string, Route> = {
  '/echo': echo,
  '/json': (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end('{"hello":"world"}');
  },
  '/redirect': (_req, res) => { res.statusCode = 302; res.setHeader('location', '/json'); res.end(); },
  '/missing': (_req, res) => { res.statusCode = 404; res.end('no such thing'); },
  '/broken': (_req, res) => { res.statusCode = 500; res.end('boom'); },
  '/empty': (_req, res) => { res.end(); },
  '/chunked': (_req, res) => {
    // No Content-Length: node sends Transfer-Encoding: chunked.
    let i = 0;
    const next = (): void => {
      if (i === 5) { res.end(); return; }
      res.write(`part${i++};`);
      setImmediate(next);
    };
    next();
  },
  '/slow': (_req, res) => { res.write('first;'); /* then nothing: the client's idle timeout ends it */ void res; },
  '/silent': () => { /* never answers */ },
  '/short': (_req, res) => { res.setHeader('content-length', '100'); res.write('only a few bytes'); res.socket?.destroy(); },
  '/large': (req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('bytes'));
    const block = Buffer.alloc(64 * 1024, 'x');
    res.setHeader('content-length', String(size));
    let sent = 0;
    const write = (): void => {
      while (sent < size) {
        const chunk = block.subarray(0, Math.min(block.length, size - sent));
        sent += chunk.length;
        if (!res.write(chunk)) { res.once('drain', write); return; }
      }
      res.end();
    };
    write();
  },
  '/named': (_req, res) => {
    res.setHeader('content-disposition', 'attachment; filename="../../report 1.csv"');
    res.end('a,b\n');
  },
  '/multipart': (req, res) => {
    const parts: Record<string, unknown> = {};
    const bb = busboy({ headers: req.headers });
    bb.on('field', (name, value) => { parts[name] = value; });
    bb.on('file', (name, stream, info) => {
      let data = '';
      stream.on('data', (c: Buffer) => { data += c.toString('utf8'); });
      stream.on('end', () => { parts[name] = { filename: info.filename, data }; });
    });
    bb.on('close', () => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(parts)); });
    req.pipe(bb);
  },
};

export async function startFixture(): Promise<Fixture> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (path === '/multipart' && route) return route(req, res, Buffer.alloc(0));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => (route ? route(req, res, Buffer.concat(chunks)) : echo(req, res, Buffer.concat(chunks))));
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
