// A hash router: #/ (flows), #/flows/{namespace}/{id}, #/new, #/executions/{id}. No dependency needed for four routes.
import { reactive } from 'vue';

export const route = reactive({ name: 'flows', params: {} });

function parse() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'flows' && parts.length === 3) Object.assign(route, { name: 'flow', params: { namespace: parts[1], id: parts[2] } });
  else if (parts[0] === 'executions' && parts.length === 2) Object.assign(route, { name: 'execution', params: { id: parts[1] } });
  else if (parts[0] === 'new') Object.assign(route, { name: 'flow', params: {} });
  else if (parts.length === 0) Object.assign(route, { name: 'flows', params: {} });
  else Object.assign(route, { name: 'missing', params: { path: parts.join('/') } });
}

export function startRouter() {
  window.addEventListener('hashchange', parse);
  parse();
}

export const flowHref = (ns, id) => `#/flows/${encodeURIComponent(ns)}/${encodeURIComponent(id)}`;
