import { embeddedChaos } from '../scripts/chaos/embedded';
import { mkdirSync, rmSync } from 'node:fs';
const dir = '/tmp/chaos-keep';
rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
embeddedChaos({ executions: Number(process.argv[2] ?? 300), kills: 5, seed: Number(process.argv[3] ?? 1), settleSeconds: 300, dir }).then((r) => console.log(JSON.stringify(r)));
