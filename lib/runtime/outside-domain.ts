// functions-framework runs every request inside a Node `domain`, to turn an exception thrown from a
// stray callback into a 500. While a domain is active, Node hooks every promise and callback created
// in it (pairing, destroy tracking, entering and leaving the domain on each callback): measured with
// --cpu-prof under bench:cloud, a quarter of the executor's CPU. Our handlers never let an error escape
// as a throw from a callback: they resolve, or reject with a coded error that the framework answers with
// a 500. So they run outside the request's domain, and so do the clients they create lazily (a gRPC
// channel made inside one request's domain would otherwise enter that domain on every later callback).
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
