/**
 * Recently opened projects, in <homeDir>/recent.json (newest first, at most 20). Written atomically;
 * an unreadable file is treated as empty rather than blocking the app.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { RecentProject } from '../../shared/domain'
import { writeFileAtomic } from '../files/atomic-file'
import { DB_FILE } from '../project/layout'

export const MAX_RECENT = 20

interface Stored {
  path: string
  name: string
  openedAt: string
}

export class RecentProjects {
  readonly file: string

  constructor(homeDir: string) {
    this.file = path.join(homeDir, 'recent.json')
  }

  private read(): Stored[] {
    let raw: string
    try {
      raw = fs.readFileSync(this.file, 'utf8')
    } catch {
      return []
    }
    try {
      const v: unknown = JSON.parse(raw)
      if (!Array.isArray(v)) return []
      return v
        .filter(
          (x): x is Stored =>
            typeof x === 'object' &&
            x !== null &&
            typeof x.path === 'string' &&
            typeof x.name === 'string' &&
            typeof x.openedAt === 'string',
        )
        .map((x) => ({ path: x.path, name: x.name, openedAt: x.openedAt }))
    } catch {
      return []
    }
  }

  list(): RecentProject[] {
    return this.read().map((r) => ({ ...r, exists: fs.existsSync(path.join(r.path, DB_FILE)) }))
  }

  /** Puts a project at the top (moving it if listed). A failed write is reported, not thrown. */
  add(projectPath: string, name: string): void {
    const entry: Stored = { path: projectPath, name, openedAt: new Date().toISOString() }
    const list = [entry, ...this.read().filter((r) => r.path !== projectPath)].slice(0, MAX_RECENT)
    try {
      writeFileAtomic(this.file, `${JSON.stringify(list, null, 2)}\n`)
    } catch (e) {
      // The list is a convenience; failing to save it must not fail opening the project.
      console.error(`PSS Studio: could not save ${this.file}: ${(e as Error).message}`)
    }
  }
}
