// functions-framework runs every request inside a Node `domain`, to turn an exception thrown from a
// stray callback into a 500. While a domain is active, Node hooks every promise and callback created
// in it (pairing, destroy tracking, entering and leaving the domain on each callback): measured with
// --cpu-prof under bench:cloud, a quarter of the executor's CPU. Where only our code runs (api, executor,
// scheduler, pubsub-trigger, worker-core), nothing throws from a callback: handlers resolve, or reject with
// a coded error that the framework answers with a 500. Those run outside the request's domain, and so do
// the clients they create lazily (a gRPC channel made inside one request's domain would otherwise enter
// that domain on every later callback). The cost: an error thrown from a callback there would now crash
// the instance instead of failing one request. Workers that run drivers keep the domain.
interface ActiveDomain {
  enter(): void;
  exit(): void;
}

/** Runs `work` with no active domain (a no-op outside one); the request's domain is active again after. */
export function outsideDomain<T>(work: () => Promise<T>): Promise<T> {
  const active = (process as { domain?: ActiveDomain | null }).domain;
  if (!active) return work();
  active.exit();
  try {
    return work();
  } finally {
    active.enter();
  }
}
