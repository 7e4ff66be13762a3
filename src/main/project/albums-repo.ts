/** Albums: a user's photo collection (a folder import or one PIS user). */
import type { Album } from '../../shared/domain'
import type { AlbumDeletion } from '../../shared/album-deletion'
import { nowIso, type Db } from './db'
import { ConflictError, InvalidInputError, NotFoundError } from './errors'
import { slugify } from './layout'

interface AlbumRow {
  id: number
  name: string
  user_id: string | null
  slug: string
  created_at: string
  active_split_id: number | null
  image_count: number
  masked_count: number
  validation_count: number
  validation_masked_count: number
  clustering_count: number
}

const SELECT_ALBUM = `
  SELECT a.id, a.name, a.user_id, a.slug, a.created_at, a.active_split_id,
    (SELECT count(*) FROM images i WHERE i.album_id = a.id) AS image_count,
    (SELECT count(*) FROM images i WHERE i.album_id = a.id AND i.mask_version IS NOT NULL) AS masked_count,
    (SELECT count(*) FROM split_members sm WHERE sm.split_id = a.active_split_id) AS validation_count,
    (SELECT count(*) FROM split_members sm WHERE sm.split_id = a.active_split_id
       AND EXISTS (SELECT 1 FROM masks m WHERE m.image_id = sm.image_id AND m.author = 'human')) AS validation_masked_count,
    (SELECT count(*) FROM clusterings c WHERE c.album_id = a.id) AS clustering_count
  FROM albums a`

function toAlbum(r: AlbumRow): Album {
  return {
    id: r.id,
    name: r.name,
    userId: r.user_id,
    createdAt: r.created_at,
    imageCount: r.image_count,
    maskedCount: r.masked_count,
    validationCount: r.validation_count,
    validationMaskedCount: r.validation_masked_count,
    splitId: r.active_split_id,
    clusteringCount: r.clustering_count,
  }
}

export class AlbumsRepo {
  constructor(private readonly db: Db) {}

  create(name: string, userId: string | null): number {
    const clean = name.trim()
    if (clean === '') throw new InvalidInputError('album name is empty')
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM albums WHERE name = ?').get(clean)) {
        throw new ConflictError(`an album named "${clean}" already exists`)
      }
      const slug = uniqueSlug(this.db, 'albums', slugify(clean, 'album'))
      const info = this.db
        .prepare('INSERT INTO albums (name, user_id, slug, created_at) VALUES (?, ?, ?, ?)')
        .run(clean, userId, slug, nowIso())
      return Number(info.lastInsertRowid)
    })()
  }

  get(id: number): Album {
    const row = this.db.prepare(`${SELECT_ALBUM} WHERE a.id = ?`).get(id) as AlbumRow | undefined
    if (!row) throw new NotFoundError(`album ${id} does not exist`)
    return toAlbum(row)
  }

  list(): Album[] {
    const rows = this.db.prepare(`${SELECT_ALBUM} ORDER BY a.name COLLATE NOCASE, a.id`).all() as AlbumRow[]
    return rows.map(toAlbum)
  }

  slug(id: number): string {
    const row = this.db.prepare('SELECT slug FROM albums WHERE id = ?').get(id) as
      { slug: string } | undefined
    if (!row) throw new NotFoundError(`album ${id} does not exist`)
    return row.slug
  }

  rename(id: number, name: string): Album {
    const clean = name.trim()
    if (clean === '') throw new InvalidInputError('album name is empty')
    this.db.transaction(() => {
      this.get(id)
      const other = this.db.prepare('SELECT id FROM albums WHERE name = ? AND id <> ?').get(clean, id)
      if (other) throw new ConflictError(`an album named "${clean}" already exists`)
      this.db.prepare('UPDATE albums SET name = ? WHERE id = ?').run(clean, id)
    })()
    return this.get(id)
  }

  /** What deleting the album would remove (counts only; nothing changes). */
  deletionPreview(id: number): AlbumDeletion {
    const album = this.get(id)
    const c = this.db
      .prepare(
        `SELECT
           (SELECT count(*) FROM images WHERE album_id = @id AND copied = 1) AS copied,
           (SELECT count(*) FROM images WHERE album_id = @id AND copied = 0) AS in_place,
           (SELECT count(*) FROM masks m JOIN images i ON i.id = m.image_id WHERE i.album_id = @id) AS versions,
           (SELECT count(*) FROM runs WHERE album_id = @id) AS runs,
           (SELECT count(*) FROM runs WHERE album_id = @id AND status IN ('queued', 'running')) AS active`,
      )
      .get({ id }) as { copied: number; in_place: number; versions: number; runs: number; active: number }
    return {
      albumId: id,
      name: album.name,
      images: album.imageCount,
      maskedImages: album.maskedCount,
      maskVersions: c.versions,
      runs: c.runs,
      activeRuns: c.active,
      copiedOriginals: c.copied,
      inPlaceOriginals: c.in_place,
    }
  }

  /**
   * Deletes the album, its runs and (by cascade) its images, masks, proposals, splits, clusterings and
   * the runs' scores, in one transaction. Refused while one of its runs is queued or running. Returns
   * the project-relative files only this album used and the ids of its runs (whose folders go too),
   * for the caller to remove after the commit, so a failure loses nothing.
   */
  delete(id: number): { files: string[]; runIds: number[] } {
    return this.db.transaction(() => {
      const preview = this.deletionPreview(id)
      if (preview.activeRuns > 0) {
        throw new ConflictError(
          `album "${preview.name}" has ${preview.activeRuns} queued or running run(s); cancel them before deleting the album`,
        )
      }
      const files = this.db
        .prepare(
          `SELECT original_path AS f FROM images WHERE album_id = @id AND copied = 1
           UNION ALL SELECT thumb_path FROM images WHERE album_id = @id AND thumb_path IS NOT NULL
           UNION ALL SELECT m.file FROM masks m JOIN images i ON i.id = m.image_id WHERE i.album_id = @id
           UNION ALL SELECT p.rel_path FROM mask_proposals p JOIN images i ON i.id = p.image_id WHERE i.album_id = @id`,
        )
        .all({ id }) as { f: string }[]
      const runIds = (
        this.db.prepare('SELECT id FROM runs WHERE album_id = ?').all(id) as { id: number }[]
      ).map((r) => r.id)
      // Runs keep their row when only the album goes (album_id SET NULL), so they are deleted explicitly.
      this.db.prepare('DELETE FROM runs WHERE album_id = ?').run(id)
      this.db.prepare('DELETE FROM albums WHERE id = ?').run(id)
      return { files: files.map((r) => r.f), runIds }
    })()
  }
}

/** "trip", "trip-2", … : a slug not used by another row of `table` (albums or sources). */
export function uniqueSlug(db: Db, table: 'albums' | 'sources', base: string): string {
  const taken = new Set(
    (
      db
        .prepare(`SELECT lower(slug) AS s FROM ${table} WHERE lower(slug) LIKE lower(?) || '%'`)
        .all(base) as {
        s: string
      }[]
    ).map((r) => r.s),
  )
  for (let i = 1; ; i++) {
    const s = i === 1 ? base : `${base}-${i}`
    if (!taken.has(s.toLowerCase())) return s
  }
}
