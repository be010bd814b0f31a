/**
 * dependency-cruiser rules for sluice (run: npx depcruise src --config .dependency-cruiser.cjs).
 * The layer table below is the single source of truth for "imports point down only": a file in layer N may
 * import only its own folder and folders of layers < N. Plus: no cycles, no src/ file importing test/ or bench/,
 * no import that fails to resolve.
 */
/** @type {Record<string, number>} folder under src/ → layer */
const LAYERS = {
  cli: 6,
  server: 5,
  engine: 4,
  plan: 3,
  connectors: 3,
  catalog: 2,
  dataflow: 2,
  sql: 1,
  expr: 1,
  state: 1,
  common: 0,
};

const folders = Object.keys(LAYERS);

/** One rule per folder: forbid imports of any other folder whose layer is the same or higher. */
const layerRules = folders
  .map((folder) => {
    const notAllowed = folders.filter((other) => other !== folder && LAYERS[other] >= LAYERS[folder]);
    if (notAllowed.length === 0) return null;
    return {
      name: `layer-${folder}`,
      severity: 'error',
      comment:
        `src/${folder} is layer L${LAYERS[folder]}: it may import only src/${folder} and lower layers ` +
        `(not ${notAllowed.map((f) => `${f} (L${LAYERS[f]})`).join(', ')})`,
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${notAllowed.join('|')})/` },
    };
  })
  .filter((rule) => rule !== null);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles, within a folder or across folders (cycles made only of type imports are harmless)',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'src-not-to-test-or-bench',
      severity: 'error',
      comment: 'production code never imports test or benchmark code',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'src-in-layer-folder',
      severity: 'error',
      comment: `every src/ file lives in a folder of the layer table (${folders.join(', ')})`,
      from: { path: `^src/(?!(${folders.join('|')})/)` },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that does not resolve to a file or an installed package',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
