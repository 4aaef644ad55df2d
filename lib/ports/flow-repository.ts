// Flows and their revisions. Each save of a changed source makes a new revision.
import type { Flow } from '../model/flow';

export interface StoredFlow {
  flow: Flow;
  /** The YAML as the user wrote it. */
  source: string;
  revision: number;
  updated: string;
}

export interface FlowRepository {
  /** Saves a flow; returns the new revision, or the current one when the source is unchanged. */
  save(flow: Flow, source: string, now: Date): Promise<StoredFlow>;
  /** The latest revision, or the given one. */
  get(namespace: string, id: string, revision?: number): Promise<StoredFlow | null>;
  list(filter?: { namespace?: string }): Promise<StoredFlow[]>;
  /** Deletes the flow and its revisions; false when it did not exist. */
  delete(namespace: string, id: string): Promise<boolean>;
}
