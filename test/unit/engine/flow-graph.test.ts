import { END_UID, flowGraph, GraphNodeType, ROOT_UID, type FlowGraph } from '../../../lib/engine/flow-graph';

const edges = (g: FlowGraph): string[] => g.edges.map((e) => `${e.source} -> ${e.target} ${e.relation.relationType}${e.relation.value ? `:${e.relation.value}` : ''}`);
const log = (id: string) => ({ id, type: 'io.kestra.core.tasks.log.Log', message: id });

describe('flowGraph', () => {
  it('chains top-level tasks from the root to the end, and leads each trigger into the root', () => {
    const g = flowGraph({ tasks: [log('a'), log('b')], triggers: [{ id: 'daily', type: 'io.kestra.core.models.triggers.types.Schedule', disabled: true }] });
    expect(edges(g)).toEqual([
      `root.Triggers.daily -> ${ROOT_UID} SEQUENTIAL`,
      `${ROOT_UID} -> root.a SEQUENTIAL`,
      'root.a -> root.b SEQUENTIAL',
      `root.b -> ${END_UID} SEQUENTIAL`,
    ]);
    expect(g.nodes.find((n) => n.uid === 'root.Triggers.daily')).toEqual({
      uid: 'root.Triggers.daily', type: GraphNodeType.TRIGGER, trigger: { id: 'daily', type: 'io.kestra.core.models.triggers.types.Schedule', disabled: true },
    });
    expect(g.nodes.find((n) => n.uid === 'root.a')).toEqual({ uid: 'root.a', type: GraphNodeType.TASK, task: { id: 'a', type: 'io.kestra.core.tasks.log.Log' } });
    expect(g.clusters).toEqual([]);
  });

  it('opens a cluster for a Parallel (by its 1.x alias too), its children side by side, closed by its end node', () => {
    const g = flowGraph({ tasks: [{ id: 'p', type: 'io.kestra.plugin.core.flow.Parallel', tasks: [log('x'), log('y')] }, log('after')] });
    expect(edges(g)).toEqual([
      'root.p -> root.p.x PARALLEL',
      'root.p -> root.p.y PARALLEL',
      'root.p.x -> root.p.end SEQUENTIAL',
      'root.p.y -> root.p.end SEQUENTIAL',
      `${ROOT_UID} -> root.p SEQUENTIAL`,
      'root.p.end -> root.after SEQUENTIAL',
      `root.after -> ${END_UID} SEQUENTIAL`,
    ]);
    expect(g.clusters).toEqual([{
      cluster: { uid: 'cluster_root.p', type: GraphNodeType.CLUSTER, taskId: 'p' }, nodes: ['root.p', 'root.p.x', 'root.p.y', 'root.p.end'], parents: [], start: 'root.p', end: 'root.p.end',
    }]);
  });

  it('labels Switch cases as CHOICE with their value, a loop body as DYNAMIC and errors branches as ERROR, nested clusters naming their parents', () => {
    const g = flowGraph({
      tasks: [{
        id: 'loop', type: 'io.kestra.core.tasks.flows.EachSequential', value: '["a"]',
        tasks: [{ id: 'sw', type: 'io.kestra.core.tasks.flows.Switch', value: '{{ taskrun.value }}', cases: { a: [log('ca')] }, defaults: [log('other')] }],
        errors: [log('oops')],
      }],
      errors: [log('alert')],
    });
    expect(edges(g)).toEqual(expect.arrayContaining([
      'root.loop -> root.loop.sw DYNAMIC',
      'root.loop.sw -> root.loop.sw.other CHOICE:defaults',
      'root.loop.sw -> root.loop.sw.ca CHOICE:a',
      'root.loop -> root.loop.oops ERROR',
      'root.loop.oops -> root.loop.end SEQUENTIAL',
      `${ROOT_UID} -> root.alert ERROR`,
      `root.alert -> ${END_UID} SEQUENTIAL`,
    ]));
    expect(g.clusters.find((c) => c.cluster.taskId === 'sw')?.parents).toEqual(['cluster_root.loop']);
    expect(g.clusters.find((c) => c.cluster.taskId === 'loop')?.nodes).toEqual(expect.arrayContaining(['root.loop.sw', 'root.loop.sw.ca', 'root.loop.sw.end']));
  });

  it("follows a Dag's dependsOn, starting the tasks that depend on none from the Dag", () => {
    const g = flowGraph({ tasks: [{ id: 'd', type: 'io.kestra.plugin.core.flow.Dag', tasks: [{ task: log('one') }, { task: log('two'), dependsOn: ['one'] }] }] });
    expect(edges(g)).toEqual(expect.arrayContaining(['root.d -> root.d.one PARALLEL', 'root.d.one -> root.d.two SEQUENTIAL', 'root.d.two -> root.d.end SEQUENTIAL']));
    expect(edges(g)).not.toContain('root.d.one -> root.d.end SEQUENTIAL');
  });

  it('leaves out entries that are not tasks, so a flow being written still draws', () => {
    const g = flowGraph({ tasks: [log('a'), { id: 'no-type' }, 'junk', null] });
    expect(g.nodes.map((n) => n.uid)).toEqual([ROOT_UID, 'root.a', END_UID]);
  });
});
