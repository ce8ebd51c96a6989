// Layer rules (docs/architecture.md): data flows one way, HTTP (server/) → use cases (access/) →
// identity sources (directory/) and protocol engines (idp/) → stores (store/); model/, crypto/ and
// cache/ are leaves every layer may import. `npm run lint` runs these; CI fails when one breaks.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle makes two files one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'express-only-in-server',
      severity: 'error',
      comment: 'Only server/ adapts HTTP; a use case never sees a request object.',
      from: { pathNot: '^(server|test|bench)/' },
      to: { path: '^node_modules/express/' },
    },
    {
      name: 'server-not-to-store',
      severity: 'error',
      comment: 'Routers call use cases in access/; the database hides behind them (types may be shared).',
      from: { path: '^server/', pathNot: '^server/(services|main)\\.ts$' },
      to: { path: '^store/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'routers-not-to-registry',
      severity: 'error',
      comment: 'A router declares the services it uses in its own dependency type; server/app.ts picks them from the registry.',
      from: { path: '^server/(admin|aws|portal|saml|http)/' },
      to: { path: '^server/services\\.ts$' },
    },
    {
      name: 'lower-layers-not-up',
      severity: 'error',
      comment: 'directory/ and idp/ know nothing above them.',
      from: { path: '^(directory|idp)/' },
      to: { path: '^(access|server|views)/' },
    },
    {
      name: 'access-not-to-server',
      severity: 'error',
      comment: 'Use cases return results; server/ renders them.',
      from: { path: '^access/' },
      to: { path: '^(server|views)/' },
    },
    {
      name: 'store-below-everything',
      severity: 'error',
      comment: 'store/ persists records; it calls no use case, source or protocol engine.',
      from: { path: '^store/' },
      to: { path: '^(access|server|views|directory|idp)/' },
    },
    {
      name: 'leaves-import-no-layer',
      severity: 'error',
      comment: 'model/, crypto/ and cache/ are leaves any layer may import, so they import none of ours.',
      from: { path: '^(model|crypto|cache)/' },
      to: { path: '^(access|server|views|directory|idp|store)/' },
    },
    {
      name: 'model-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^model/' },
      to: { path: '^(crypto|cache)/' },
    },
    {
      name: 'product-not-to-tests',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|data|certs|\\.test-tmp)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
