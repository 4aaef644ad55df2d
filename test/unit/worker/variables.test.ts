import { envsOf, identityOf, readablePrefixes, withEnvs } from '../../../lib/worker/variables';

describe('worker variables', () => {
  it('takes the execution identity from the flow variables', () => {
    expect(identityOf('e1', { flow: { id: 'f', namespace: 'io.n' } })).toEqual({ id: 'e1', namespace: 'io.n', flowId: 'f' });
  });

  it('lets a task read its own execution, its flow states, its trigger and its parent', () => {
    const who = { id: 'e1', namespace: 'io.n', flowId: 'f' };
    expect(readablePrefixes(who, {
      trigger: { executionId: 't1', namespace: 'io.up', flowId: 'up' },
      execution: { id: 'e1', parent: { executionId: 'p1', namespace: 'io.p', flowId: 'pf' } },
    })).toEqual(['io/n/f/executions/e1', 'io/n/f/states', 'io/up/up/executions/t1', 'io/p/pf/executions/p1']);
    expect(readablePrefixes(who, { trigger: { type: 'schedule', date: 'x' } })).toEqual(['io/n/f/executions/e1', 'io/n/f/states']);
  });

  it('turns ENV_ variables into envs, as Kestra does, and never the ALOFT_ settings', () => {
    expect(envsOf({ ENV_DB_HOST: 'h', ENV_: 'empty name', PATH: '/bin', ALOFT_API_TOKEN: 'admin', SECRET_PW: 'cHc=' })).toEqual({ db_host: 'h' });
  });

  it('keeps envs given by the executor', () => {
    const vars = { envs: { a: '1' } };
    expect(withEnvs(vars, { ENV_B: '2' })).toBe(vars);
    expect(withEnvs({}, { ENV_B: '2' })).toEqual({ envs: { b: '2' } });
  });
});
