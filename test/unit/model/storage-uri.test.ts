import { FlowId, Namespace } from '../../../lib/model/flow-schema';
import { namespaceFilesPrefix } from '../../../lib/model/namespace-files';
import { assertReadable, executionPrefix, flowStateKey, inputFileKey, keyToUri, taskFileKey, uriToKey } from '../../../lib/model/storage-uri';

const forbidden = (uri: string): void => {
  expect(() => uriToKey(uri)).toThrow(expect.objectContaining({ code: 'STORAGE_FORBIDDEN' }));
};

describe('kestra:/// URIs', () => {
  it('maps a URI to its key and back', () => {
    const key = 'io/aloft/hello/executions/e1/tasks/t/r1/out file.txt';
    expect(uriToKey(keyToUri(key))).toBe(key);
    expect(keyToUri(key)).toBe('kestra:///io/aloft/hello/executions/e1/tasks/t/r1/out%20file.txt');
  });

  it('keeps a file name with a literal percent sign', () => {
    const key = 'ns/f/executions/e1/inputs/data/50%.csv';
    expect(uriToKey(keyToUri(key))).toBe(key);
  });

  it.each([
    'kestra:///a/../b',
    'kestra:///a/%2e%2e/b',
    'kestra:///a/%2E%2E/b',
    'kestra:///a/%252e%252e/b',
    'kestra:///a/./b',
    'kestra:////etc/passwd',
    'kestra:///%2fetc/passwd',
    'kestra:///a%5c..%5cb',
    'kestra:///a//b',
    'kestra:///',
    'kestra:///a/b%00c',
    'file:///etc/passwd',
    'kestra://host/a',
    'kestra:///a/%E0%A4%A',
  ])('rejects %s', (uri) => forbidden(uri));

  it('builds task and input file keys under the execution, with dots of the namespace as folders', () => {
    const e = { namespace: 'io.aloft', flowId: 'f', executionId: 'e1' };
    expect(executionPrefix('io.aloft', 'f', 'e1')).toBe('io/aloft/f/executions/e1');
    expect(taskFileKey({ ...e, taskId: 't', taskRunId: 'r' }, '../x.txt')).toBe('io/aloft/f/executions/e1/tasks/t/r/x.txt');
    expect(inputFileKey(e, 'data', 'a.csv')).toBe('io/aloft/f/executions/e1/inputs/data/a.csv');
  });

  it('refuses a file name longer than 255 UTF-8 bytes with INPUT_INVALID, and keeps one at the limit', () => {
    const e = { namespace: 'io.aloft', flowId: 'f', executionId: 'e1' };
    expect(() => inputFileKey(e, 'data', `${'n'.repeat(300)}.csv`)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', message: `the file name '${'n'.repeat(40)}…' is longer than 255 bytes` }));
    expect(() => inputFileKey(e, 'data', 'é'.repeat(128))).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(inputFileKey(e, 'data', 'n'.repeat(255))).toBe(`io/aloft/f/executions/e1/inputs/data/${'n'.repeat(255)}`);
  });

  it('lets an execution read only below the prefixes it was given', () => {
    const mine = 'io/aloft/f/executions/e1';
    expect(() => assertReadable(`${mine}/tasks/t/r/x`, [mine])).not.toThrow();
    expect(() => assertReadable('io/aloft/f/executions/e10/tasks/t/r/x', [mine])).toThrow(expect.objectContaining({ code: 'STORAGE_FORBIDDEN' }));
  });

  it('gives every flow and every namespace a folder of its own: none lies inside another, for every valid name built from storage words', () => {
    // Names built from the words storage itself writes, kept when the flow rules accept them.
    const words = ['t', 'a', 'executions', 'states', '_files', 'files', 'x_'];
    const namespaces = words.flatMap((a) => [a, ...words.flatMap((b) => [`${a}.${b}`, ...words.map((c) => `${a}.${b}.${c}`)])])
      .filter((ns) => Namespace.safeParse(ns).success);
    const flowIds = words.filter((id) => FlowId.safeParse(id).success);
    const folders: Array<[owner: string, folder: string]> = [];
    for (const ns of namespaces) {
      folders.push([`namespace ${ns}`, namespaceFilesPrefix(ns)]);
      for (const id of flowIds) {
        folders.push([`flow ${ns}.${id}`, executionPrefix(ns, id, 'E').replace(/\/E$/, '')]);
        folders.push([`flow ${ns}.${id}`, flowStateKey(ns, id, 'S', 'f').replace(/\/S\/f$/, '')]);
      }
    }
    expect(namespaces).toContain('t.a.files');
    const clashes = folders.flatMap(([owner, folder]) => folders
      .filter(([other, inner]) => other !== owner && (inner === folder || inner.startsWith(`${folder}/`)))
      .map(([other, inner]) => `${other}'s ${inner} is inside ${owner}'s ${folder}`));
    expect(clashes).toEqual([]);
  });
});
