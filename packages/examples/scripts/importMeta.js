// `import.meta` for the CommonJS bundle (scripts/bundle.mjs injects these): the bundle's own
// URL, and module resolution as the bundle's `require` does it. The library resolves only
// `@multitask/core/package.json` (see its ownFile.ts), which needs no `import` condition.
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
export const importMetaResolve = (specifier) => pathToFileURL(require.resolve(specifier)).href;
