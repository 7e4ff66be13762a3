/** Source datasets (VOC format) and their named image lists (ImageSets: train, val, train_aug…). */
import type { SourceDataset } from '../../shared/domain'
import { nowIso, type Db } from './db'
import { ConflictError, InvalidInputError, NotFoundError } from './errors'
import { slugify } from './layout'
import { uniqueSlug } from './albums-repo'

interface SourceRow {
  id: number
  name: string
  format: 'voc'
  root: string
  slug: string
  created_at: string
  image_count: number
  masked_count: number
}

const SELECT_SOURCE = `
  SELECT s.id, s.name, s.format, s.root, s.slug, s.created_at,
    (SELECT count(*) FROM images i WHERE i.source_id = s.id) AS image_count,
    (SELECT count(*) FROM images i WHERE i.source_id = s.id AND i.mask_version IS NOT NULL) AS masked_count
  FROM sources s`

/** The ImageSets list whose images the grid's "validation" filter shows for a source (VOC's val.txt). */
export const VALIDATION_LIST = 'val'

export class SourcesRepo {
  constructor(private readonly db: Db) {}

  create(name: string, format: 'voc', root: string): number {
    const clean = name.trim()
    if (clean === '') throw new InvalidInputError('source name is empty')
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM sources WHERE name = ?').get(clean)) {
        throw new ConflictError(`a source dataset named "${clean}" already exists`)
      }
      const slug = uniqueSlug(this.db, 'sources', slugify(clean, 'source'))
      const info = this.db
        .prepare('INSERT INTO sources (name, format, root, slug, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(clean, format, root, slug, nowIso())
      return Number(info.lastInsertRowid)
    })()
  }

  get(id: number): SourceDataset {
    const row = this.db.prepare(`${SELECT_SOURCE} WHERE s.id = ?`).get(id) as SourceRow | undefined
    if (!row) throw new NotFoundError(`source dataset ${id} does not exist`)
    return this.toSource(row)
  }

  list(): SourceDataset[] {
    const rows = this.db.prepare(`${SELECT_SOURCE} ORDER BY s.name COLLATE NOCASE, s.id`).all() as SourceRow[]
    return rows.map((r) => this.toSource(r))
  }

  slug(id: number): string {
    const row = this.db.prepare('SELECT slug FROM sources WHERE id = ?').get(id) as
      { slug: string } | undefined
    if (!row) throw new NotFoundError(`source dataset ${id} does not exist`)
    return row.slug
  }

  /** Stores (or replaces) a named list; every image must belong to this source. */
  setList(sourceId: number, name: string, imageIds: number[]): void {
    const clean = name.trim()
    if (clean === '') throw new InvalidInputError('list name is empty')
    this.db.transaction(() => {
      this.get(sourceId)
      const owner = this.db.prepare('SELECT source_id FROM images WHERE id = ?')
      for (const id of imageIds) {
        const row = owner.get(id) as { source_id: number | null } | undefined
        if (!row) throw new NotFoundError(`image ${id} does not exist (list "${clean}")`)
        if (row.source_id !== sourceId) {
          throw new InvalidInputError(
            `image ${id} does not belong to source dataset ${sourceId} (list "${clean}")`,
          )
        }
      }
      this.db.prepare('DELETE FROM source_lists WHERE source_id = ? AND name = ?').run(sourceId, clean)
      const listId = Number(
        this.db
          .prepare('INSERT INTO source_lists (source_id, name, created_at) VALUES (?, ?, ?)')
          .run(sourceId, clean, nowIso()).lastInsertRowid,
      )
      // A list may name an image twice (VOC lists do not, but be lenient): keep the first position.
      const add = this.db.prepare(
        'INSERT OR IGNORE INTO source_list_members (list_id, image_id, position) VALUES (?, ?, ?)',
      )
      imageIds.forEach((id, i) => add.run(listId, id, i))
      if (clean === VALIDATION_LIST) {
        this.db
          .prepare(
            'UPDATE images SET in_validation = (id IN (SELECT image_id FROM source_list_members WHERE list_id = ?)) WHERE source_id = ?',
          )
          .run(listId, sourceId)
      }
    })()
  }

  /** Id of a named list of a source, or null. */
  listId(sourceId: number, name: string): number | null {
    const row = this.db
      .prepare('SELECT id FROM source_lists WHERE source_id = ? AND name = ?')
      .get(sourceId, name) as { id: number } | undefined
    return row?.id ?? null
  }

  private toSource(r: SourceRow): SourceDataset {
    const lists = this.db
      .prepare(
        `SELECT l.name, (SELECT count(*) FROM source_list_members m WHERE m.list_id = l.id) AS count
         FROM source_lists l WHERE l.source_id = ? ORDER BY l.name`,
      )
      .all(r.id) as { name: string; count: number }[]
    return {
      id: r.id,
      name: r.name,
      format: r.format,
      root: r.root,
      createdAt: r.created_at,
      imageCount: r.image_count,
      maskedCount: r.masked_count,
      lists,
    }
  }
}
