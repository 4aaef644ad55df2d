// Objects keyed by what users write (flow keys, input names, loop values, form fields): only own
// properties count, so `constructor`, `toString` or `__proto__` are plain names, never
// Object.prototype's members, and an assignment never replaces an object's prototype.

/** The own property `key` of `obj`, or undefined (never an inherited member). */
export function getOwn<T = unknown>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets `obj[key]` as an own data property, `__proto__` included. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
