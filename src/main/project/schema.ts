/**
 * The schema as a list of migrations. Never edit a migration that has shipped: add a new one.
 * Timestamps are ISO-8601 text (UTC); JSON columns hold text validated by the code that reads them.
 */
import path from 'node:path'
import type { Migration } from './migrations'
import { realFolder } from './registered-folders'

const v1Library: Migration = {
  version: 1,
  name: 'library: project, albums, sources, images, masks',
  up(db) {
    db.exec(`
      CREATE TABLE project (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        name        TEXT    NOT NULL,
        created_at  TEXT    NOT NULL,
        demo        INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1))
      );

      CREATE TABLE albums (
        id          INTEGER PRIMARY KEY,
        name        TEXT    NOT NULL UNIQUE,
        user_id     TEXT,
        -- folder under media/ for copied originals; fixed at creation so a rename moves no files
        slug        TEXT    NOT NULL UNIQUE,
        created_at  TEXT    NOT NULL
      );

      CREATE TABLE sources (
        id          INTEGER PRIMARY KEY,
        name        TEXT    NOT NULL UNIQUE,
        format      TEXT    NOT NULL CHECK (format IN ('voc')),
        root        TEXT    NOT NULL,
        slug        TEXT    NOT NULL UNIQUE,
        created_at  TEXT    NOT NULL
      );

      CREATE TABLE images (
        id            INTEGER PRIMARY KEY,
        album_id      INTEGER REFERENCES albums(id) ON DELETE CASCADE,
        source_id     INTEGER REFERENCES sources(id) ON DELETE CASCADE,
        name          TEXT    NOT NULL,
        -- absolute for referenced originals, project-relative (forward slashes) for copied ones
        original_path TEXT    NOT NULL,
        copied        INTEGER NOT NULL CHECK (copied IN (0, 1)),
        width         INTEGER NOT NULL CHECK (width > 0),
        height        INTEGER NOT NULL CHECK (height > 0),
        orientation   INTEGER NOT NULL DEFAULT 1 CHECK (orientation BETWEEN 1 AND 8),
        bytes         INTEGER NOT NULL,
        hash          TEXT    NOT NULL,
        tags          TEXT    NOT NULL DEFAULT '[]',
        thumb_path    TEXT,
        -- Denormalised for the grid, so every filter and order is answered from one covering index
        -- (< 5 ms on 10k images) instead of per-row lookups. Kept in step, in the same transaction, by:
        --   mask_version   newest mask version (masks repository)
        --   in_validation  1 when in the album's active split, or in a source's 'val' list (groupings, sources)
        --   cluster        group in the album's newest clustering (groupings repository)
        mask_version  INTEGER,
        in_validation INTEGER NOT NULL DEFAULT 0 CHECK (in_validation IN (0, 1)),
        cluster       INTEGER,
        imported_at   TEXT    NOT NULL,
        CHECK ((album_id IS NULL) <> (source_id IS NULL))
      );
      CREATE UNIQUE INDEX images_album_hash  ON images(album_id, hash)  WHERE album_id IS NOT NULL;
      CREATE UNIQUE INDEX images_source_hash ON images(source_id, hash) WHERE source_id IS NOT NULL;
      -- Grid orders, each covering the filter columns (the rowid id is the tie-breaker).
      CREATE INDEX images_album_name ON images(album_id, name COLLATE NOCASE, id, mask_version, in_validation);
      CREATE INDEX images_album_imported ON images(album_id, imported_at, id, mask_version, in_validation);
      CREATE INDEX images_album_cluster
        ON images(album_id, cluster, name COLLATE NOCASE, id, mask_version, in_validation);
      CREATE INDEX images_source_name ON images(source_id, name COLLATE NOCASE, id, mask_version, in_validation);
      CREATE INDEX images_source_imported ON images(source_id, imported_at, id, mask_version, in_validation);

      CREATE TABLE source_lists (
        id          INTEGER PRIMARY KEY,
        source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        name        TEXT    NOT NULL,
        created_at  TEXT    NOT NULL,
        UNIQUE (source_id, name)
      );
      CREATE TABLE source_list_members (
        list_id     INTEGER NOT NULL REFERENCES source_lists(id) ON DELETE CASCADE,
        image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        PRIMARY KEY (list_id, image_id)
      ) WITHOUT ROWID;
      CREATE INDEX source_list_members_image ON source_list_members(image_id);

      CREATE TABLE masks (
        id            INTEGER PRIMARY KEY,
        image_id      INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        version       INTEGER NOT NULL CHECK (version >= 1),
        author        TEXT    NOT NULL CHECK (author IN ('human', 'model')),
        origin        TEXT    NOT NULL DEFAULT '',
        created_at    TEXT    NOT NULL,
        file          TEXT    NOT NULL,
        class_pixels  TEXT    NOT NULL DEFAULT '{}',
        UNIQUE (image_id, version)
      );
    `)
  },
}

const v2SplitsClusterings: Migration = {
  version: 2,
  name: 'validation splits and clusterings',
  up(db) {
    db.exec(`
      CREATE TABLE splits (
        id          INTEGER PRIMARY KEY,
        album_id    INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        version     INTEGER NOT NULL,
        name        TEXT    NOT NULL,
        frozen      INTEGER NOT NULL DEFAULT 1 CHECK (frozen IN (0, 1)),
        meta        TEXT    NOT NULL DEFAULT '{}',
        created_at  TEXT    NOT NULL,
        UNIQUE (album_id, version)
      );
      -- members are the validation images; the rest of the album is the training side
      CREATE TABLE split_members (
        split_id    INTEGER NOT NULL REFERENCES splits(id) ON DELETE CASCADE,
        image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        PRIMARY KEY (split_id, image_id)
      ) WITHOUT ROWID;
      CREATE INDEX split_members_image ON split_members(image_id);

      CREATE TABLE clusterings (
        id          INTEGER PRIMARY KEY,
        album_id    INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
        name        TEXT    NOT NULL,
        k           INTEGER NOT NULL,
        meta        TEXT    NOT NULL DEFAULT '{}',
        created_at  TEXT    NOT NULL
      );
      CREATE INDEX clusterings_album ON clusterings(album_id, id);
      CREATE TABLE cluster_members (
        clustering_id INTEGER NOT NULL REFERENCES clusterings(id) ON DELETE CASCADE,
        image_id      INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        cluster       INTEGER NOT NULL CHECK (cluster >= 0),
        PRIMARY KEY (clustering_id, image_id)
      ) WITHOUT ROWID;
      CREATE INDEX cluster_members_image ON cluster_members(image_id);

      -- the split the album currently uses (newest by default); SET NULL keeps the album if it goes
      ALTER TABLE albums ADD COLUMN active_split_id INTEGER REFERENCES splits(id) ON DELETE SET NULL;
    `)
  },
}

const v3JobsRuns: Migration = {
  version: 3,
  name: 'jobs, runs and metrics',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY,
        kind          TEXT    NOT NULL,
        title         TEXT    NOT NULL,
        status        TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        args          TEXT    NOT NULL DEFAULT '{}',
        progress      TEXT    NOT NULL DEFAULT '{}',
        problems      TEXT    NOT NULL DEFAULT '[]',
        problem_count INTEGER NOT NULL DEFAULT 0,
        result        TEXT,
        error         TEXT,
        created_at    TEXT    NOT NULL,
        started_at    TEXT,
        finished_at   TEXT
      );
      CREATE INDEX jobs_status ON jobs(status);

      CREATE TABLE runs (
        id           INTEGER PRIMARY KEY,
        album_id     INTEGER REFERENCES albums(id) ON DELETE SET NULL,
        kind         TEXT    NOT NULL,
        method       TEXT    NOT NULL,
        config       TEXT    NOT NULL DEFAULT '{}',
        status       TEXT    NOT NULL,
        seed         INTEGER,
        backend      TEXT,
        code_version TEXT,
        split_id     INTEGER REFERENCES splits(id) ON DELETE SET NULL,
        job_id       INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        error        TEXT,
        created_at   TEXT    NOT NULL,
        finished_at  TEXT
      );
      CREATE INDEX runs_album ON runs(album_id, id);
      -- the exact mask versions a run was trained or evaluated on
      CREATE TABLE run_masks (
        run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        mask_version INTEGER NOT NULL,
        PRIMARY KEY (run_id, image_id)
      ) WITHOUT ROWID;

      CREATE TABLE metrics (
        id        INTEGER PRIMARY KEY,
        run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        album_id  INTEGER REFERENCES albums(id) ON DELETE CASCADE,
        image_id  INTEGER REFERENCES images(id) ON DELETE CASCADE,
        name      TEXT    NOT NULL,
        value     REAL    NOT NULL
      );
      CREATE INDEX metrics_run ON metrics(run_id, name, image_id);
      CREATE INDEX metrics_image ON metrics(image_id, name);
    `)
  },
}

const v4Annotation: Migration = {
  version: 4,
  name: 'annotation: per-image status, hand-edit counts and base version of masks',
  up(db) {
    db.exec(`
      -- An image without a row here is 'done' when it has a human mask, else 'not_started'.
      CREATE TABLE annotation_state (
        image_id    INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        status      TEXT    NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'reviewed')),
        updated_at  TEXT    NOT NULL
      );
      -- the version the editor started from, and how many pixels differ from it (hand edits)
      ALTER TABLE masks ADD COLUMN base_version INTEGER;
      ALTER TABLE masks ADD COLUMN hand_pixels INTEGER;
    `)
  },
}

const v5MaskProposals: Migration = {
  version: 5,
  name: 'mask proposals: machine-made masks a curator may accept per component (e.g. tag co-segmentation)',
  up(db) {
    db.exec(`
      -- One proposal per (image, source); the palette PNG lives at rel_path inside the project folder.
      CREATE TABLE mask_proposals (
        id          INTEGER PRIMARY KEY,
        image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        source_kind TEXT    NOT NULL,
        source_id   TEXT    NOT NULL,
        label       TEXT    NOT NULL,
        rel_path    TEXT    NOT NULL,
        classes     TEXT    NOT NULL,
        meta        TEXT    NOT NULL,
        created_at  TEXT    NOT NULL,
        UNIQUE (image_id, source_id)
      );
      CREATE INDEX mask_proposals_source ON mask_proposals(source_id);
    `)
  },
}

const v6Snapshots: Migration = {
  version: 6,
  name: 'snapshots: per-snapshot validation scores of a run and the snapshot it uses',
  up(db) {
    db.exec(`
      -- One row per (album run, stage, snapshot iteration, part of the validation split).
      CREATE TABLE snapshot_metrics (
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        stage         TEXT    NOT NULL,
        iteration     INTEGER NOT NULL CHECK (iteration >= 1),
        part          TEXT    NOT NULL CHECK (part IN ('selection', 'report', 'full')),
        images        INTEGER NOT NULL CHECK (images >= 1),
        fiou          REAL    NOT NULL,
        miou_all21    REAL    NOT NULL,
        miou_present  REAL,
        PRIMARY KEY (run_id, stage, iteration, part)
      ) WITHOUT ROWID;
      -- The snapshot an album run uses, how it was chosen, and the parts the split was divided into.
      CREATE TABLE snapshot_choices (
        run_id        INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        mode          TEXT    NOT NULL CHECK (mode IN ('heldout', 'oracle', 'last')),
        mode_reason   TEXT    NOT NULL,
        stage         TEXT    NOT NULL,
        iteration     INTEGER NOT NULL CHECK (iteration >= 1),
        chosen_on     TEXT    CHECK (chosen_on IN ('selection', 'report', 'full')),
        report_on     TEXT    NOT NULL CHECK (report_on IN ('selection', 'report', 'full')),
        oracle        INTEGER NOT NULL CHECK (oracle IN (0, 1)),
        parts         TEXT    NOT NULL,
        division      TEXT    NOT NULL,
        evaluated_at  TEXT    NOT NULL
      );
    `)
  },
}

const v7RegisteredFolders: Migration = {
  version: 7,
  name: 'registered folders: where in-place (not copied) photos may be referenced from',
  up(db) {
    db.exec(`
      -- Real paths of the folders outside the project the user imported photos from without copying.
      -- A reference to a file outside the project and outside these folders is refused (media-resolver.ts).
      CREATE TABLE registered_folders (
        path          TEXT PRIMARY KEY,
        origin        TEXT NOT NULL,
        registered_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `)
    // Existing projects: the folders their in-place imports named (jobs keep their arguments) and the
    // roots of their source datasets — the folders the user chose, never the paths the images now claim.
    const add = db.prepare(
      'INSERT OR IGNORE INTO registered_folders (path, origin, registered_at) VALUES (?, ?, ?)',
    )
    const now = new Date().toISOString()
    for (const s of db.prepare('SELECT root FROM sources').all() as { root: string }[]) {
      add.run(realFolder(s.root), 'source dataset', now)
    }
    const jobs = db
      .prepare("SELECT kind, args FROM jobs WHERE kind IN ('import-folder', 'import-pis', 'import-voc')")
      .all() as { kind: string; args: string }[]
    for (const j of jobs) {
      let args: { dir?: unknown; root?: unknown; copy?: unknown }
      try {
        args = JSON.parse(j.args) as typeof args
      } catch {
        continue
      }
      const folder = j.kind === 'import-folder' ? args.dir : args.root
      if (args.copy === false && typeof folder === 'string' && path.isAbsolute(folder))
        add.run(realFolder(folder), j.kind, now)
    }
  },
}

const v8SourceModels: Migration = {
  version: 8,
  name: 'source models: PyTorch checkpoints imported into the project (models/), checked and hashed',
  up(db) {
    // IF NOT EXISTS: a project set back to an older version by hand (as the migration tests do) still opens.
    db.exec(`
      -- One row per imported checkpoint; the file is a copy inside the project (file, project-relative),
      -- written atomically before the row and identical to what was checked (same sha256).
      CREATE TABLE IF NOT EXISTS source_models (
        id              INTEGER PRIMARY KEY,
        name            TEXT    NOT NULL,
        arch            TEXT    NOT NULL,
        classes         INTEGER NOT NULL CHECK (classes >= 1),
        parameter_count INTEGER NOT NULL CHECK (parameter_count >= 0),
        has_aux         INTEGER NOT NULL CHECK (has_aux IN (0, 1)),
        sha256          TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
        file            TEXT    NOT NULL UNIQUE,
        original_path   TEXT    NOT NULL,
        bytes           INTEGER NOT NULL CHECK (bytes > 0),
        added_at        TEXT    NOT NULL,
        -- what the reader found besides the columns above (tensors, wrapper key, stripped prefix)
        detection       TEXT    NOT NULL
      );
    `)
  },
}

export const SCHEMA_MIGRATIONS: readonly Migration[] = [
  v1Library,
  v2SplitsClusterings,
  v3JobsRuns,
  v4Annotation,
  v5MaskProposals,
  v6Snapshots,
  v7RegisteredFolders,
  v8SourceModels,
]
