/**
 * Snapshots of a run and how one is chosen (docs/method.md §4: the released code keeps the snapshot that scores
 * best on the labelled target images — an oracle). Plain data, no Node or DOM imports.
 *
 * Training keeps a snapshot (checkpoint) every N iterations. Each snapshot of the run's final stage is
 * evaluated on the album's validation split, which is divided — seeded by the split's own seed,
 * stratified by cluster when the split was drawn over a clustering, else by image — into a SELECTION part
 * and a REPORT part. Selection modes:
 *   last     the final weights (no selection at all);
 *   heldout  the snapshot with the best FIoU on the selection part; its honest numbers are those on the
 *            report part (the full split includes the images it was chosen on);
 *   oracle   the best FIoU on the full validation split, as the released code does: optimistic, and
 *            labelled "oracle" wherever it is shown.
 * Values are fractions (0–1).
 */

export const SELECTION_MODES = ['heldout', 'oracle', 'last'] as const
export type SelectionMode = (typeof SELECTION_MODES)[number]

export function isSelectionMode(m: string): m is SelectionMode {
  return (SELECTION_MODES as readonly string[]).includes(m)
}

export const SELECTION_MODE_LABELS: Record<SelectionMode, string> = {
  heldout: 'held-out selection',
  oracle: 'oracle selection (best on the full validation split)',
  last: 'last snapshot (no selection)',
}

export const SNAPSHOT_PARTS = ['selection', 'report', 'full'] as const
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number]

export const SNAPSHOT_PART_LABELS: Record<SnapshotPart, string> = {
  selection: 'selection part',
  report: 'report part',
  full: 'full validation split',
}

/** Share of the labelled validation images in the selection part. */
export const SELECTION_FRACTION = 0.5

/**
 * Held-out selection needs at least this many labelled validation images (3 per part): with fewer, the
 * "best" snapshot on one or two images is noise, and the run falls back to the last snapshot (saying so).
 */
export const MIN_HELDOUT_IMAGES = 6

/** Default snapshots per stage: one every ⌈iterations/10⌉ iterations (≤ 10 per stage, the last included). */
export const DEFAULT_SNAPSHOTS_PER_STAGE = 10

/** An explicit snapshot interval may give at most this many snapshots per stage (disk stays bounded). */
export const MAX_SNAPSHOTS_PER_STAGE = 50

export function defaultSnapshotEvery(iterations: number): number {
  return Math.max(1, Math.ceil(iterations / DEFAULT_SNAPSHOTS_PER_STAGE))
}

/** The selection mode a run gets when none is asked for, and why. */
export function defaultSelection(labelledValidation: number): { mode: SelectionMode; reason: string } {
  if (labelledValidation >= MIN_HELDOUT_IMAGES) {
    return {
      mode: 'heldout',
      reason: `${labelledValidation} labelled validation images: half choose the snapshot, the other half report it`,
    }
  }
  return {
    mode: 'last',
    reason: `only ${labelledValidation} labelled validation image${labelledValidation === 1 ? '' : 's'} (held-out selection needs ${MIN_HELDOUT_IMAGES}): the final weights are used`,
  }
}

/** One snapshot's scores on one part of the split. */
export interface SnapshotScore {
  fiou: number
  miouAll21: number
  /** Null when no class is present in GT or prediction. */
  miouPresent: number | null
  images: number
}

/** One evaluated snapshot: its scores per part (a part with no labelled image is absent). */
export interface SnapshotPoint {
  stage: string
  iteration: number
  parts: Partial<Record<SnapshotPart, SnapshotScore>>
}

/** Which snapshot a run uses, and on what grounds. */
export interface SnapshotChoice {
  mode: SelectionMode
  /** Why this mode (asked for, or the default and its reason). */
  modeReason: string
  stage: string
  iteration: number
  /** The part the choice was made on (null for `last`). */
  chosenOn: SnapshotPart | null
  /** The part whose numbers are honest for this choice: report (heldout), full (last), full but oracle. */
  reportOn: SnapshotPart
  /** True for oracle selection: the reported numbers were also used to choose. */
  oracle: boolean
  /** The labelled validation images of each part (image ids, ascending). */
  partImages: { selection: number[]; report: number[] }
  /** How the split was divided (e.g. "stratified by the split's clustering, seed 0"). */
  division: string
  evaluatedAt: string
}

/** What `runSnapshots` answers. */
export interface RunSnapshots {
  runId: number
  /** The stage whose snapshots are evaluated (the one that predicts the album), e.g. 'source', 'pss-s2'. */
  stage: string | null
  /** Snapshot interval of that stage (null when unknown). */
  every: number | null
  /** Evaluated snapshots, by iteration. */
  points: SnapshotPoint[]
  choice: SnapshotChoice | null
  /** Snapshot folders of the stage on disk (evaluated or not) and their total size in bytes. */
  onDisk: { count: number; bytes: number }
}
