import { parseScriptLine } from '../../../../lib/plugins/scripts/script-output';

const sink = () => {
  const m: Record<string, number> = {};
  return { m, metrics: { counter: (n: string, v: number) => { m[`c:${n}`] = v; }, timer: (n: string, v: number) => { m[`t:${n}`] = v; } } };
};

describe('parseScriptLine', () => {
  it('reads outputs from a ::{"outputs":...}:: line', () => {
    const { metrics } = sink();
    expect(parseScriptLine('::{"outputs":{"a":1,"b":{"c":"d"}}}::', metrics)).toEqual({ outputs: { a: 1, b: { c: 'd' } } });
  });

  it('ignores ordinary lines', () => {
    const { metrics } = sink();
    expect(parseScriptLine('hello ::{}', metrics)).toBeUndefined();
  });

  it('records counters and timers (seconds or ISO durations)', () => {
    const { m, metrics } = sink();
    parseScriptLine('::{"metrics":[{"name":"rows","type":"counter","value":5},{"name":"t","type":"timer","value":1.5},{"name":"u","type":"timer","value":"PT2S"}]}::', metrics);
    expect(m).toEqual({ 'c:rows': 5, 't:t': 1500, 't:u': 2000 });
  });

  it('reports a command line that is not JSON', () => {
    const { metrics } = sink();
    expect(parseScriptLine('::{"outputs": nope}::', metrics)?.invalid).toBeDefined();
  });
});

describe('parseScriptLine logs', () => {
  it('reads logs with known levels and skips the others', () => {
    const { metrics } = sink();
    expect(parseScriptLine('::{"logs":[{"level":"warn","message":"w"},{"level":"LOUD","message":"x"},{"message":{"a":1}}]}::', metrics))
      .toEqual({ logs: [{ level: 'WARN', message: 'w' }, { level: 'INFO', message: '{"a":1}' }] });
  });
});
