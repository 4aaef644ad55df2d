import { render, renderTyped } from '../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');

describe('errorLogs', () => {
  it("gives the execution's ERROR lines read before rendering", () => {
    const errorLogs = [{ taskId: 'load', level: 'ERROR', message: 'connection refused' }];
    expect(render('{{ errorLogs()[0].taskId }}: {{ errorLogs()[0].message }}', {}, { now: NOW, errorLogs })).toBe('load: connection refused');
    expect(renderTyped('{{ errorLogs() | length }}', {}, { now: NOW, errorLogs: [] })).toBe(0);
  });

  it('fails outside task properties, where no logs were read', () => {
    expect(() => render('{{ errorLogs() }}', {}, { now: NOW })).toThrow("errorLogs() works in the properties of tasks, where the execution's logs can be read");
  });
});

describe('currentEachOutput', () => {
  const outputs = { t: { a: { value: 'A' }, b: { value: 'B' } }, nested: { x: { '1': { value: 'x1' }, '2': { value: 'x2' } } } };

  it("gives the output of the current loop iteration for a sibling inside the loop", () => {
    const vars = { outputs, taskrun: { value: 'b' }, parents: [{}] };
    expect(render('{{ currentEachOutput(outputs.t).value }}', vars, { now: NOW })).toBe('B');
  });

  it('follows the values of every enclosing loop, outermost first', () => {
    // The inner loop's child: its own value is '2'; its parent (the inner loop) ran for outer value 'x'.
    const vars = { outputs, taskrun: { value: '2' }, parents: [{ taskrun: { value: 'x' } }] };
    expect(render('{{ currentEachOutput(outputs.nested).value }}', vars, { now: NOW })).toBe('x2');
  });

  it('fails naming the loop value the outputs do not have', () => {
    const vars = { outputs, taskrun: { value: 'c' } };
    expect(() => render('{{ currentEachOutput(outputs.t) }}', vars, { now: NOW })).toThrow("currentEachOutput(): the outputs have no entry for the loop value 'c'");
  });
});
