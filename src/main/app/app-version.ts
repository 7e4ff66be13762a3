/**
 * The app's version, read from the package.json of pss-studio found above this module (source tree,
 * out/main bundle or an installed package alike). Read at runtime rather than imported, because the
 * node tsconfig is composite and may not include package.json.
 */
import fs from 'node:fs'
import path from 'node:path'

let cached: string | null = null

export function appVersion(): string {
  if (cached !== null) return cached
  cached = '0.0.0'
  const start = typeof __dirname === 'string' ? __dirname : process.cwd()
  for (let dir = start, i = 0; i < 8; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'pss-studio' && typeof pkg.version === 'string') {
        cached = pkg.version
        break
      }
    } catch {
      /* keep walking up */
    }
    if (path.dirname(dir) === dir) break
  }
  return cached
}
