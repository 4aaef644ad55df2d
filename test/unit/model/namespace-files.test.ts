import { namespaceFilePath, namespaceFileUri, namespaceFolderUri } from '../../../lib/model/namespace-files';

describe('namespace file paths', () => {
  it('keeps a path relative to the namespace\'s files, however it starts', () => {
    expect(namespaceFilePath('/scripts/etl.py')).toBe('scripts/etl.py');
    expect(namespaceFilePath('scripts/etl.py')).toBe('scripts/etl.py');
    expect(namespaceFilePath('./etl.py')).toBe('etl.py');
    expect(namespaceFilePath('50%.csv')).toBe('50%.csv');
  });

  it.each([
    ['../other/secret.txt'], ['a/../../x'], ['/..'], ['a/./b'], ['%2e%2e/x'], ['a/%2E%2E/%2e%2e/x'], ['a\\..\\b'], ['a\0b'], ['a//b'], [''], ['/'],
  ])('refuses %j with STORAGE_FORBIDDEN naming the path', (path) => {
    expect(() => namespaceFilePath(path, { task: 't', property: 'files' })).toThrow(expect.objectContaining({
      code: 'STORAGE_FORBIDDEN', message: expect.stringContaining(`namespace file path ${JSON.stringify(path)}`), location: { task: 't', property: 'files' },
    }));
  });

  it('puts a namespace\'s files in a folder no flow or other namespace uses', () => {
    expect(namespaceFileUri('company.team', '/scripts/etl.py')).toBe('kestra:///company/team/_files/scripts/etl.py');
    expect(namespaceFolderUri('company.team')).toBe('kestra:///company/team/_files/');
    expect(namespaceFolderUri('company.team', '/scripts/')).toBe('kestra:///company/team/_files/scripts/');
    expect(() => namespaceFolderUri('company.team', '../..')).toThrow(expect.objectContaining({ code: 'STORAGE_FORBIDDEN' }));
  });
});
