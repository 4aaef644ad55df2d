// A flow's topology, shaped as Kestra's FlowGraph (GET /api/v1/flows/{ns}/{id}/graph): one node per task,
// a cluster (with an end node) per flowable task, edges typed SEQUENTIAL, PARALLEL, CHOICE (with the case),
// DYNAMIC (a loop's body) or ERROR (an errors branch), and the triggers leading into the flow's root.
// Pure: it reads the flow document only, so it draws a flow that is still being written as well.
import { wrappedTasks } from '../model/catalog';
import { flowableBehaviour } from './flowables';

/** Kestra's class names, so that clients of Kestra's API read the same `type`. */
export const GraphNodeType = {
  ROOT: 'io.kestra.core.models.hierarchies.GraphClusterRoot',
  END: 'io.kestra.core.models.hierarchies.GraphClusterEnd',
  TASK: 'io.kestra.core.models.hierarchies.GraphTask',
  TRIGGER: 'io.kestra.core.models.hierarchies.GraphTrigger',
  CLUSTER: 'io.kestra.core.models.hierarchies.GraphCluster',
} as const;
export type GraphNodeType = (typeof GraphNodeType)[keyof typeof GraphNodeType];

export const RelationType = { SEQUENTIAL: 'SEQUENTIAL', PARALLEL: 'PARALLEL', CHOICE: 'CHOICE', DYNAMIC: 'DYNAMIC', ERROR: 'ERROR' } as const;
export type RelationType = (typeof RelationType)[keyof typeof RelationType];

export interface GraphNode {
  uid: string;
  type: GraphNodeType;
  /** The task (id and type only: a script can be large). */
  task?: { id: string; type: string };
  trigger?: { id: string; type: string; disabled?: boolean };
}
export interface Relation { relationType: RelationType; value?: string }
export interface GraphEdge { source: string; target: string; relation: Relation }
export interface GraphCluster {
  cluster: { uid: string; type: typeof GraphNodeType.CLUSTER; taskId: string };
  /** Every node inside it, nested clusters' included. */
  nodes: string[];
  /** The enclosing clusters, outermost first. */
  parents: string[];
  start: string;
  end: string;
}
export interface FlowGraph { nodes: GraphNode[]; edges: GraphEdge[]; clusters: GraphCluster[] }

export const ROOT_UID = 'root.root';
export const END_UID = 'root.end';

const ERROR_LISTS: ReadonlySet<string> = new Set(['errors', 'finally']);
const LOOPS = /(?:Each|ForEach|LoopUntil)/;

interface Task { id: string; type: string; [key: string]: unknown }

const isTask = (t: unknown): t is Task => !!t && typeof t === 'object' && typeof (t as Task).id === 'string' && typeof (t as Task).type === 'string';
const tasksOf = (list: unknown): Task[] => (Array.isArray(list) ? list.filter(isTask) : []);

/** The topology of a flow document (normalised or as written); entries that are not tasks are left out. */
export function flowGraph(flow: { tasks?: unknown; errors?: unknown; finally?: unknown; triggers?: unknown }): FlowGraph {
  const graph: FlowGraph = { nodes: [], edges: [], clusters: [] };
  const open: GraphCluster[] = [];

  const add = (node: GraphNode): void => {
    graph.nodes.push(node);
    for (const c of open) c.nodes.push(node.uid);
  };
  const link = (from: readonly string[], to: string, relation: Relation): void => {
    for (const source of from) graph.edges.push({ source, target: to, relation });
  };

  /** Adds the tasks one after the other from `from`; the first edge carries `relation`. Returns the exits. */
  const chain = (list: Task[], prefix: string, from: readonly string[], relation: Relation): string[] => {
    let exits = [...from];
    let rel = relation;
    for (const task of list) {
      const { entry, exit } = place(task, prefix);
      link(exits, entry, rel);
      exits = [exit];
      rel = { relationType: RelationType.SEQUENTIAL };
    }
    return exits;
  };

  /** One task: a node, and for a flowable its cluster, children and end node. */
  const place = (task: Task, prefix: string): { entry: string; exit: string } => {
    const uid = `${prefix}.${task.id}`;
    const behaviour = flowableBehaviour(task.type);
    if (!behaviour) {
      add({ uid, type: GraphNodeType.TASK, task: { id: task.id, type: task.type } });
      return { entry: uid, exit: uid };
    }
    const end = `${uid}.end`;
    const cluster: GraphCluster = {
      cluster: { uid: `cluster_${uid}`, type: GraphNodeType.CLUSTER, taskId: task.id }, nodes: [], parents: open.map((c) => c.cluster.uid), start: uid, end,
    };
    graph.clusters.push(cluster);
    open.push(cluster);
    add({ uid, type: GraphNodeType.TASK, task: { id: task.id, type: task.type } });
    const info = behaviour.info;
    const choice = (info.childMaps?.length ?? 0) > 0 || (info.childLists ?? []).includes('then');
    const body: RelationType = LOOPS.test(info.type) ? RelationType.DYNAMIC : behaviour.parallel ? RelationType.PARALLEL : RelationType.SEQUENTIAL;
    const exits: string[] = [];
    for (const key of info.childLists ?? []) {
      const list = tasksOf(task[key]);
      if (ERROR_LISTS.has(key) || list.length === 0) continue;
      if (choice) exits.push(...chain(list, uid, [uid], { relationType: RelationType.CHOICE, value: key }));
      else if (body === RelationType.PARALLEL) for (const child of list) exits.push(...chain([child], uid, [uid], { relationType: body }));
      else exits.push(...chain(list, uid, [uid], { relationType: body }));
    }
    for (const key of info.childMaps ?? []) {
      const map = task[key];
      if (!map || typeof map !== 'object') continue;
      for (const [value, list] of Object.entries(map)) {
        if (tasksOf(list).length) exits.push(...chain(tasksOf(list), uid, [uid], { relationType: RelationType.CHOICE, value }));
      }
    }
    for (const key of info.childWrappers ?? []) exits.push(...dag(task[key], uid));
    link(exits.length ? exits : [uid], end, { relationType: RelationType.SEQUENTIAL });
    for (const key of info.childLists ?? []) {
      if (ERROR_LISTS.has(key) && tasksOf(task[key]).length) link(chain(tasksOf(task[key]), uid, [uid], { relationType: RelationType.ERROR }), end, { relationType: RelationType.SEQUENTIAL });
    }
    add({ uid: end, type: GraphNodeType.END });
    open.pop();
    return { entry: uid, exit: end };
  };

  /** A Dag's wrapped tasks: each starts after those it `dependsOn`, the others from the Dag itself. Returns the exits of the last ones. */
  const dag = (wrappers: unknown, uid: string): string[] => {
    const entries = wrappedTasks(wrappers).filter((w) => isTask(w.task));
    const placed = new Map<string, { entry: string; exit: string }>();
    for (const w of entries) placed.set((w.task as Task).id, place(w.task as Task, uid));
    const needed = new Set<string>();
    for (const w of entries) {
      const raw = Array.isArray(wrappers) ? (wrappers[w.index] as { dependsOn?: unknown }).dependsOn : undefined;
      const deps = Array.isArray(raw) ? raw.filter((d): d is string => typeof d === 'string' && placed.has(d)) : [];
      const target = placed.get((w.task as Task).id)!.entry;
      if (deps.length === 0) link([uid], target, { relationType: RelationType.PARALLEL });
      for (const d of deps) {
        needed.add(d);
        link([placed.get(d)!.exit], target, { relationType: RelationType.SEQUENTIAL });
      }
    }
    return [...placed].filter(([id]) => !needed.has(id)).map(([, p]) => p.exit);
  };

  add({ uid: ROOT_UID, type: GraphNodeType.ROOT });
  for (const t of Array.isArray(flow.triggers) ? flow.triggers : []) {
    if (!isTask(t)) continue;
    const uid = `root.Triggers.${t.id}`;
    add({ uid, type: GraphNodeType.TRIGGER, trigger: { id: t.id, type: t.type, ...(t.disabled === true ? { disabled: true } : {}) } });
    link([uid], ROOT_UID, { relationType: RelationType.SEQUENTIAL });
  }
  let exits = chain(tasksOf(flow.tasks), 'root', [ROOT_UID], { relationType: RelationType.SEQUENTIAL });
  const errors = tasksOf(flow.errors);
  const errorExits = errors.length ? chain(errors, 'root', [ROOT_UID], { relationType: RelationType.ERROR }) : [];
  const fin = tasksOf(flow.finally);
  if (fin.length) exits = chain(fin, 'root', [...exits, ...errorExits], { relationType: RelationType.SEQUENTIAL });
  else exits.push(...errorExits);
  add({ uid: END_UID, type: GraphNodeType.END });
  link(exits, END_UID, { relationType: RelationType.SEQUENTIAL });
  return graph;
}
