// A hash router: #/ (flows), #/flows/{namespace}/{id}, #/new, #/executions, #/executions/{id}, #/plugins[/{type}],
// #/namespaces[/{namespace}].
// No dependency needed for a handful of routes; a query after `?` (the executions list's filters) is kept in `route.query`.
import { reactive } from 'vue';

export const route = reactive({ name: 'flows', params: {}, query: {} });

function parse() {
  const [path, search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(search));
  if (parts[0] === 'flows' && parts.length === 3) Object.assign(route, { name: 'flow', params: { namespace: parts[1], id: parts[2] }, query });
  else if (parts[0] === 'executions' && parts.length === 2) Object.assign(route, { name: 'execution', params: { id: parts[1] }, query });
  else if (parts[0] === 'executions' && parts.length === 1) Object.assign(route, { name: 'executions', params: {}, query });
  else if (parts[0] === 'namespaces' && parts.length <= 2) Object.assign(route, { name: 'namespaces', params: { namespace: parts[1] }, query });
  else if (parts[0] === 'plugins' && parts.length <= 2) Object.assign(route, { name: 'plugins', params: { type: parts[1] }, query });
  else if (parts[0] === 'new') Object.assign(route, { name: 'flow', params: {}, query });
  else if (parts.length === 0) Object.assign(route, { name: 'flows', params: {}, query });
  else Object.assign(route, { name: 'missing', params: { path: parts.join('/') }, query });
}

export function startRouter() {
  window.addEventListener('hashchange', parse);
  parse();
}

export const flowHref = (ns, id) => `#/flows/${encodeURIComponent(ns)}/${encodeURIComponent(id)}`;
export const executionHref = (id) => `#/executions/${encodeURIComponent(id)}`;
