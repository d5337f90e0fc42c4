import { defineConfig } from 'vitest/config';

// `import … from 'engram'` in a test's module of one's own gets these sources (package.json's
// `engram-source` export condition), as under the engram command, not the built dist/. The other
// conditions are Vite's defaults, which setting the list replaces.
const conditions = (platform: string) => ['engram-source', 'module', platform, 'development|production'];

export default defineConfig({
  resolve: { conditions: conditions('browser') },
  ssr: { resolve: { conditions: conditions('node') } },
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
