/**
 * Album groupings: frozen validation splits (versioned per album) and clusterings (image → group).
 * Both reference images of one album only; a foreign id is refused with its number in the message.
 */
import { nowIso, type Db } from './db'
import { InvalidInputError, NotFoundError } from './errors'

export class GroupingsRepo {
  constructor(private readonly db: Db) {}

  private checkMembers(albumId: number, imageIds: Iterable<number>, what: string): void {
    if (!this.db.prepare('SELECT 1 FROM albums WHERE id = ?').get(albumId)) {
      throw new NotFoundError(`album ${albumId} does not exist`)
    }
    const owner = this.db.prepare('SELECT album_id FROM images WHERE id = ?')
    for (const id of imageIds) {
      const r = owner.get(id) as { album_id: number | null } | undefined
      if (!r) throw new NotFoundError(`image ${id} does not exist (${what})`)
      if (r.album_id !== albumId)
        throw new InvalidInputError(`image ${id} is not in album ${albumId} (${what})`)
    }
  }

  /** Adds a frozen split as the album's next version and makes it the active one; returns its id. */
  addSplit(
    albumId: number,
    name: string,
    validationImageIds: number[],
    meta: Record<string, unknown>,
  ): number {
    return this.db.transaction(() => {
      this.checkMembers(albumId, validationImageIds, `split "${name}"`)
      const { v } = this.db
        .prepare('SELECT coalesce(max(version), 0) + 1 AS v FROM splits WHERE album_id = ?')
        .get(albumId) as { v: number }
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO splits (album_id, version, name, frozen, meta, created_at) VALUES (?, ?, ?, 1, ?, ?)',
          )
          .run(albumId, v, name, JSON.stringify(meta), nowIso()).lastInsertRowid,
      )
      const add = this.db.prepare('INSERT OR IGNORE INTO split_members (split_id, image_id) VALUES (?, ?)')
      for (const imageId of validationImageIds) add.run(id, imageId)
      this.db.prepare('UPDATE albums SET active_split_id = ? WHERE id = ?').run(id, albumId)
      this.refreshValidation(albumId)
      return id
    })()
  }

  /** Stores a clustering; k is the number of groups (largest group index + 1). Returns its id. */
  addClustering(
    albumId: number,
    name: string,
    assignments: Map<number, number>,
    meta: Record<string, unknown>,
  ): number {
    return this.db.transaction(() => {
      this.checkMembers(albumId, assignments.keys(), `clustering "${name}"`)
      // k = largest group + 1 sizes per-group arrays wherever clusterings are read: a group can never
      // need to be numbered past the album's image count (importers re-number densely).
      const { n } = this.db.prepare('SELECT count(*) AS n FROM images WHERE album_id = ?').get(albumId) as {
        n: number
      }
      let k = 0
      for (const [imageId, group] of assignments) {
        if (!Number.isInteger(group) || group < 0 || group >= n) {
          throw new InvalidInputError(
            `clustering "${name}": image ${imageId} has group ${group}; groups are integers 0–${n - 1} (album ${albumId} has ${n} images)`,
          )
        }
        k = Math.max(k, group + 1)
      }
      const id = Number(
        this.db
          .prepare('INSERT INTO clusterings (album_id, name, k, meta, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(albumId, name, k, JSON.stringify(meta), nowIso()).lastInsertRowid,
      )
      const add = this.db.prepare(
        'INSERT INTO cluster_members (clustering_id, image_id, cluster) VALUES (?, ?, ?)',
      )
      for (const [imageId, group] of assignments) add.run(id, imageId, group)
      // The newest clustering is the one the grid shows: copy its groups onto the images.
      this.db
        .prepare(
          `UPDATE images SET cluster = (SELECT cluster FROM cluster_members WHERE clustering_id = ? AND image_id = images.id)
           WHERE album_id = ?`,
        )
        .run(id, albumId)
      return id
    })()
  }

  /** Re-derives images.in_validation of an album from its active split (after the split changes). */
  refreshValidation(albumId: number): void {
    this.db
      .prepare(
        `UPDATE images SET in_validation = EXISTS (
           SELECT 1 FROM split_members sm JOIN albums a ON a.active_split_id = sm.split_id
           WHERE a.id = images.album_id AND sm.image_id = images.id)
         WHERE album_id = ?`,
      )
      .run(albumId)
  }
}
