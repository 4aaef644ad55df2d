import { validateFiles } from '../../../lib/cli/validate';
import { testCatalog } from '../model/test-catalog';

const FILES: Record<string, string> = {
  'good.yml': 'id: good\nnamespace: ns\ntasks:\n  - id: t\n    type: io.kestra.core.tasks.debugs.Return\n    format: hi\n',
  'warned.yml': 'id: warned\nnamespace: ns\ntasks:\n  - id: t\n    type: io.kestra.core.tasks.debugs.Return\ntriggers:\n  - id: x\n    type: some.Trigger\n',
  'bad.yml': [
    'id: bad', 'namespace: ns', 'tasks:',
    '  - id: a', '    type: io.kestra.core.tasks.debug.Return',
    '  - id: a', '    type: io.kestra.core.tasks.debugs.Return', '    formt: x', '',
  ].join('\n'),
  'broken.yml': 'id: [\n',
  'template.yml': 'id: template\nnamespace: ns\ntasks:\n  - id: t\n    type: io.kestra.core.tasks.debugs.Return\n    format: "ok {{ outputs.t.value | }}"\n',
};

async function run(paths: string[]) {
  let out = '';
  let err = '';
  const code = await validateFiles(paths, {
    readFile: async (p) => {
      if (!(p in FILES)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      return FILES[p];
    },
    catalog: testCatalog,
    stdout: (s) => { out += s; },
    stderr: (s) => { err += s; },
  });
  return { code, out, err };
}

describe('validateFiles', () => {
  it('exits 0 and says so when every flow is valid', async () => {
    const r = await run(['good.yml']);
    expect(r).toEqual({ code: 0, out: 'good.yml: flow ns.good is valid\n', err: '' });
  });

  it('prints warnings but still exits 0', async () => {
    const r = await run(['warned.yml']);
    expect(r.code).toBe(0);
    expect(r.err).toBe("warned.yml:8:11: flow ns.warned, task x, property triggers[0].type: warning: unknown trigger type 'some.Trigger'; it will not fire\n");
    expect(r.out).toBe('warned.yml: flow ns.warned is valid (1 warning)\n');
  });

  it('prints every error of every file with file, line, column, flow, task and property, and exits 2', async () => {
    const r = await run(['bad.yml', 'good.yml', 'broken.yml']);
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      "bad.yml:5:11: flow ns.bad, task a, property tasks[0].type: unknown task type 'io.kestra.core.tasks.debug.Return'; did you mean 'io.kestra.core.tasks.debugs.Return'?",
      "bad.yml:6:9: flow ns.bad, task a, property tasks[1].id: task id 'a' is already used by tasks[0] (line 4); task ids must be unique in a flow",
      "bad.yml:8:5: flow ns.bad, task a, property tasks[1].formt: unknown property 'formt'; did you mean 'format'?",
    ]);
    expect(lines[3]).toMatch(/^broken\.yml:\d+:\d+: invalid YAML: /);
    expect(r.out).toBe('bad.yml: 3 errors\ngood.yml: flow ns.good is valid\nbroken.yml: 1 error\n');
  });

  it('checks templates with the expression parser: a syntax error is an error at its line and column', async () => {
    const r = await run(['template.yml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("template.yml:6:38: flow ns.template, task t, property tasks[0].format: template syntax error: expected a filter name after '|' but found '}}'\n");
  });

  it('reports a file it cannot read and exits 2', async () => {
    const r = await run(['missing.yml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("missing.yml: cannot read the file: ENOENT: no such file or directory, open 'missing.yml'\n");
  });
});
