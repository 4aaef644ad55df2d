import { DOCKER_RUNNER, PROCESS_RUNNER } from '../../../../lib/plugins/scripts/task-runner';
import { logLine, singerRunner, stateFileOf } from '../../../../lib/plugins/singer/workspace';

describe('singerRunner', () => {
  it('runs on the worker by default, as Kestra 0.4', () => {
    expect(singerRunner({})).toEqual({ kind: 'process' });
    expect(singerRunner({ taskRunner: { type: PROCESS_RUNNER } })).toEqual({ kind: 'process' });
  });

  it('maps 0.4 dockerOptions onto the Docker runner\'s settings', () => {
    expect(singerRunner({ runner: 'DOCKER', dockerOptions: { image: 'python:3.8', dockerHost: 'tcp://h:2375', user: 'me', extraHosts: ['a:1.2.3.4'] } })).toEqual({
      kind: 'docker', image: 'python:3.8', options: { host: 'tcp://h:2375', user: 'me', extraHosts: ['a:1.2.3.4'] },
    });
  });

  it('takes 1.x taskRunner and containerImage, and 0.4 runner wins over them', () => {
    expect(singerRunner({ taskRunner: { type: DOCKER_RUNNER, networkMode: 'host' }, containerImage: 'python:3.11' }))
      .toEqual({ kind: 'docker', image: 'python:3.11', options: { networkMode: 'host' } });
    expect(singerRunner({ runner: 'PROCESS', taskRunner: { type: DOCKER_RUNNER } })).toEqual({ kind: 'process' });
  });
});

describe('stateFileOf', () => {
  it('keeps one state per loop value', () => {
    expect(stateFileOf(undefined)).toBe('state.json');
    expect(stateFileOf('a')).toMatch(/^state-[0-9a-f]{32}\.json$/);
    expect(stateFileOf('a')).not.toBe(stateFileOf('b'));
  });
});

describe('logLine', () => {
  it('logs a python-json-logger line at its level, and anything else at INFO', () => {
    expect(logLine('{"levelname": "WARNING", "message": "rate limited"}')).toEqual({ level: 'WARN', message: 'rate limited' });
    expect(logLine('INFO Syncing stream: commits')).toEqual({ level: 'INFO', message: 'INFO Syncing stream: commits' });
    expect(logLine('{"not": "a log"}')).toEqual({ level: 'INFO', message: '{"not": "a log"}' });
  });
});
