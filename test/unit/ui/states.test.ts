import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, STATES } from '../../../lib/model/states';

// ui/src is an ES module bundle built by Vite; its state lists are read as text here.
const source = readFileSync(join(__dirname, '../../../ui/src/states.js'), 'utf8');
const listOf = (name: string): string[] => {
  const match = new RegExp(`export const ${name} = \\[([^\\]]*)\\]`).exec(source);
  if (!match) throw new Error(`ui/src/states.js has no ${name} list`);
  return [...match[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
};

describe('the UI state lists', () => {
  it('offer every state the model has, in its order', () => {
    expect(listOf('STATES')).toEqual([...STATES]);
  });

  it('call terminal exactly the states the model calls terminal', () => {
    expect(new Set(listOf('TERMINAL'))).toEqual(new Set(STATES.filter(isTerminal)));
  });
});
