#!/usr/bin/env node
// Prints a free port of 127.0.0.1 below the kernel's ephemeral range (where a released port can be
// handed to another process's bind(0) or connection before our service binds it), checked by binding
// it; any free port when that range leaves no room. lib/dev/ports.ts does the same for the emulated cloud.
'use strict';
const { readFileSync } = require('node:fs');
const { createServer } = require('node:net');

function range() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low - 1 - 10000 >= 1000) return [10000, low - 1];
    if (65535 - (high + 1) >= 1000) return [high + 1, 65535];
  } catch {
    // Not Linux: fall back to the kernel's pick.
  }
  return undefined;
}

const tryPort = (port) => new Promise((resolve) => {
  const s = createServer();
  s.once('error', () => resolve(undefined));
  s.listen(port, '127.0.0.1', () => {
    const got = s.address().port;
    s.close(() => resolve(got));
  });
});

(async () => {
  const r = range();
  for (let i = 0; r && i < 50; i++) {
    const port = await tryPort(r[0] + Math.floor(Math.random() * (r[1] - r[0] + 1)));
    if (port) return console.log(port);
  }
  const port = await tryPort(0);
  if (!port) { console.error('free-port: no free port on 127.0.0.1'); process.exit(1); }
  console.log(port);
})();
