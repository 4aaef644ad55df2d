// An ESLint rule for the direction of dependencies between folders (docs/architecture.md): each zone
// names the files it applies to, the folders they may not import, and the files it leaves out while
// they still break it. Unlike no-restricted-imports, zones are independent: a file in several zones
// gets every one of them, and a file left out of one zone is still held to the others.
// It checks static imports, re-exports, import() and require() of relative paths.
import path from 'node:path';

/** True when `rel` (a path relative to the project, with slashes) is `folder` or inside it. */
const inside = (rel, folder) => rel === folder || rel.startsWith(`${folder}/`);

/** The path relative to the project of a module source as written in `file`, or undefined for packages. */
function resolved(cwd, file, source) {
  if (typeof source !== 'string' || !source.startsWith('.')) return undefined;
  return path.relative(cwd, path.resolve(path.dirname(file), source)).split(path.sep).join('/');
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Dependencies point one way between folders.' },
    schema: [{
      type: 'array',
      items: {
        type: 'object',
        properties: {
          files: { type: 'string' },
          forbidden: { type: 'array', items: { type: 'string' } },
          ignores: { type: 'array', items: { type: 'string' } },
          message: { type: 'string' },
        },
        required: ['files', 'forbidden', 'message'],
        additionalProperties: false,
      },
    }],
    messages: { upward: '{{file}} may not import {{target}}: {{message}}' },
  },
  create(context) {
    const cwd = context.cwd;
    const file = path.relative(cwd, context.filename).split(path.sep).join('/');
    const zones = (context.options[0] ?? []).filter((z) => inside(file, z.files) && !(z.ignores ?? []).includes(file));
    if (zones.length === 0) return {};
    const check = (node, source) => {
      const target = resolved(cwd, context.filename, source);
      if (target === undefined) return;
      for (const z of zones) {
        if (z.forbidden.some((f) => inside(target, f))) {
          context.report({ node, messageId: 'upward', data: { file: z.files, target, message: z.message } });
        }
      }
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
      TSImportEqualsDeclaration: (n) => n.moduleReference.type === 'TSExternalModuleReference' && check(n, n.moduleReference.expression.value),
      CallExpression: (n) => n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal'
        && check(n, n.arguments[0].value),
    };
  },
};

export default { rules: { layers: rule } };
