// Time, ids and secrets are passed in, never read inline, so logic stays testable.

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** A new unique id (Kestra-style: short, URL-safe). */
  next(): string;
}

export interface Secrets {
  /** The secret's value, or undefined when it does not exist. */
  get(name: string): Promise<string | undefined>;
}
