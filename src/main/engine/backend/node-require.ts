/**
 * A CommonJS `require` that works both in the bundled main process (CJS, where `__filename` exists) and
 * under Vitest (ESM). Optional packages are loaded through it with a computed name so bundlers do not try
 * to resolve them at build time.
 */
import { createRequire } from 'node:module'

let cached: NodeJS.Require | null = null

export function nodeRequire(): NodeJS.Require {
  if (!cached) cached = createRequire(typeof __filename === 'string' ? __filename : import.meta.url)
  return cached
}
