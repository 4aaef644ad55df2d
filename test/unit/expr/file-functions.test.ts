import { render, renderTyped, type FileStat } from '../../../lib/expr';

const NOW = new Date('2026-11-25T01:02:03.456Z');
const VARS = { flow: { namespace: 'company.team', id: 'f' }, outputs: { dl: { uri: 'kestra:///company/team/f/executions/e1/tasks/dl/r1/a.csv' } } };
const STATS = new Map<string, FileStat>([
  ['data/in.csv', { size: 12 }],
  ['empty.txt', { size: 0 }],
  ['kestra:///company/team/f/executions/e1/tasks/dl/r1/a.csv', { size: 2048 }],
  ['gone.txt', { missing: 'namespace company.team has no file gone.txt' }],
  ['kestra:///other/x/executions/e9/tasks/t/r/secret.txt', { error: 'kestra:///other/x/executions/e9/tasks/t/r/secret.txt is not a file this execution may read' }],
]);
const typed = (t: string, fileStats: ReadonlyMap<string, FileStat> | undefined = STATS, wantedFiles?: Set<string>) =>
  renderTyped(t, VARS, { now: NOW, fileStats, wantedFiles });

describe('fileURI', () => {
  it("gives the kestra:// URI of a file of the execution's namespace", () => {
    expect(typed("{{ fileURI('scripts/etl.py') }}")).toBe('kestra:///company/team/_files/scripts/etl.py');
    expect(typed("{{ fileURI('/scripts/etl.py') }}")).toBe('kestra:///company/team/_files/scripts/etl.py');
    expect(typed("{{ fileURI('nsfile:///scripts/etl.py') }}")).toBe('kestra:///company/team/_files/scripts/etl.py');
  });

  it('returns a kestra:// URI as it is', () => {
    expect(typed('{{ fileURI(outputs.dl.uri) }}')).toBe(VARS.outputs.dl.uri);
  });

  it("refuses a path that leaves the namespace's files, and another namespace", () => {
    expect(() => typed("{{ fileURI('../other/_files/a') }}")).toThrow("fileURI('../other/_files/a'): namespace file path \"../other/_files/a\" leaves the namespace's files");
    expect(() => typed("{{ fileURI('a/%2e%2e/%2e%2e/b') }}")).toThrow('leaves the namespace');
    expect(() => typed("{{ fileURI('nsfile://other.ns/a.txt') }}")).toThrow("fileURI('nsfile://other.ns/a.txt'): only files of namespace company.team can be named here");
  });
});

describe('fileSize, fileExists and isFileEmpty', () => {
  it('answer from the files looked up before rendering, by namespace path or kestra:// URI', () => {
    expect(typed("{{ fileSize('data/in.csv') }}")).toBe(12);
    expect(typed('{{ fileSize(outputs.dl.uri) }}')).toBe(2048);
    expect(typed("{{ fileExists('data/in.csv') }}")).toBe(true);
    expect(typed("{{ isFileEmpty('empty.txt') }}")).toBe(true);
    expect(typed("{{ isFileEmpty('data/in.csv') }}")).toBe(false);
  });

  it('fileExists is false for a missing file; fileSize and isFileEmpty fail, naming it', () => {
    expect(typed("{{ fileExists('gone.txt') }}")).toBe(false);
    expect(() => typed("{{ fileSize('gone.txt') }}")).toThrow("fileSize('gone.txt'): namespace company.team has no file gone.txt");
    expect(() => typed("{{ isFileEmpty('gone.txt') }}")).toThrow("isFileEmpty('gone.txt'): namespace company.team has no file gone.txt");
  });

  it('fail on a file the execution may not read, even fileExists', () => {
    const uri = 'kestra:///other/x/executions/e9/tasks/t/r/secret.txt';
    expect(() => typed(`{{ fileExists('${uri}') }}`)).toThrow('is not a file this execution may read');
    expect(() => typed(`{{ fileSize('${uri}') }}`)).toThrow('is not a file this execution may read');
  });

  it('record the paths not looked up yet, computed ones included, when the caller collects them', () => {
    const wanted = new Set<string>();
    typed("{{ fileSize(outputs.dl.uri ~ '.bak') }} {{ fileExists('x/' ~ 'y.txt') }}", new Map(), wanted);
    expect([...wanted]).toEqual([`${VARS.outputs.dl.uri}.bak`, 'x/y.txt']);
  });

  it('fail outside task properties, where nothing was looked up', () => {
    expect(() => render("{{ fileSize('data/in.csv') }}", VARS, { now: NOW })).toThrow("fileSize('data/in.csv') works in the properties of tasks");
    expect(() => render('{{ fileExists(null) }}', VARS, { now: NOW })).toThrow('fileExists() needs a path, got null');
  });
});
