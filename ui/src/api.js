// The API client of the UI: same origin, the token (if the server asks for one) kept in localStorage.
const TOKEN = 'aloft.token';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body ?? {};
  }
}

export const token = {
  get: () => localStorage.getItem(TOKEN) ?? '',
  set: (t) => (t ? localStorage.setItem(TOKEN, t) : localStorage.removeItem(TOKEN)),
};

export async function api(method, path, { json, yaml, form, text } = {}) {
  const headers = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  let body;
  if (json !== undefined) { body = JSON.stringify(json); headers['content-type'] = 'application/json'; }
  if (yaml !== undefined) { body = yaml; headers['content-type'] = 'application/x-yaml'; }
  if (form !== undefined) body = form;
  if (text !== undefined) { body = text; headers['content-type'] = 'text/plain'; }
  let res;
  try {
    res = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, { code: 'UNREACHABLE', message: 'the server cannot be reached' });
  }
  const answer = await res.text();
  let parsed;
  try { parsed = answer ? JSON.parse(answer) : undefined; } catch { parsed = undefined; }
  if (!res.ok) throw new ApiError(res.status, parsed ?? { message: `HTTP ${res.status}` });
  return parsed;
}

export const flowPath = (ns, id) => `/api/v1/flows/${encodeURIComponent(ns)}/${encodeURIComponent(id)}`;

/**
 * Follows a server-sent events route with fetch rather than EventSource, which cannot send the token.
 * Calls `onEvent` with each `data:` document; resolves when the stream ends; `signal` stops it.
 */
export async function follow(path, onEvent, signal) {
  const headers = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  const res = await fetch(path, { headers, signal });
  if (!res.ok) {
    let body;
    try { body = await res.json(); } catch { body = undefined; }
    throw new ApiError(res.status, body);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, cut).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      buffer = buffer.slice(cut + 2);
      if (data) onEvent(JSON.parse(data));
    }
  }
}

/** A file of an execution (a `kestra://` URI), fetched with the token: a link could not carry it. */
export async function fetchFile(executionId, uri) {
  const headers = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  const res = await fetch(`/api/v1/executions/${encodeURIComponent(executionId)}/file?path=${encodeURIComponent(uri)}`, { headers });
  if (!res.ok) {
    let body;
    try { body = await res.json(); } catch { body = undefined; }
    throw new ApiError(res.status, body);
  }
  return res.blob();
}

/** Saves a blob under `name` through a temporary link. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A response body as text (a namespace file), with the token. */
export async function apiText(path) {
  const headers = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  const res = await fetch(path, { headers });
  if (!res.ok) {
    let body;
    try { body = await res.json(); } catch { body = undefined; }
    throw new ApiError(res.status, body);
  }
  return res.text();
}
