/**
 * Size presets. `tiny` is for CI (seconds), `demo` for the studio's demo project (well under a minute),
 * `verdict` is the methods benchmark's CPU preset (issue 13): few, small images with large objects and no
 * void band (radius 1 at 80 px caps a perfect prediction at FIoU 47), so the ceilings sit far above No-DA;
 * ≥ 30 validation images per user (40 % of 80); the masks of the other album images are written for the
 * target-oracle row. `full` mirrors PIS's scale (15 users × ~670 images at 500 px, ~30% labelled) with a large source set.
 */
export const PRESET_NAMES = ['tiny', 'demo', 'full', 'verdict'] as const
export type PresetName = (typeof PRESET_NAMES)[number]

export interface Preset {
  name: PresetName
  users: number
  /** Album size range per user (inclusive). */
  albumSize: readonly [number, number]
  /** Number of recurring places (= "true" clusters) per user (inclusive range). */
  places: readonly [number, number]
  /** Recurring objects per user (inclusive range). */
  companions: readonly [number, number]
  sourceImages: number
  /** Share of the source set listed in ImageSets/Segmentation/val.txt. */
  sourceValShare: number
  /** Share of each album with masks (validation), drawn per place. */
  albumValShare: number
  /** Long side of every image, in pixels (Flickr-style 500 px for `full`). */
  longSide: number
  /** Share of images in portrait orientation. */
  portraitShare: number
  /** Smallest object height in pixels. */
  minObjectPx: number
  /** Half-width of the 255 boundary band in pixels. */
  bandRadius: number
  /**
   * Also write the masks of the album images outside the validation split, to `oracle/id{k}/<name>.png`
   * (never inside the PIS album): the methods benchmark's target-oracle row trains on them.
   */
  oracleMasks?: boolean
}

export const PRESETS: Record<PresetName, Preset> = {
  tiny: {
    name: 'tiny',
    users: 3,
    albumSize: [24, 24],
    places: [3, 3],
    companions: [1, 2],
    sourceImages: 60,
    sourceValShare: 0.2,
    albumValShare: 0.3,
    longSide: 96,
    portraitShare: 0.1,
    minObjectPx: 14,
    bandRadius: 1,
  },
  demo: {
    name: 'demo',
    users: 4,
    albumSize: [96, 104],
    places: [4, 5],
    companions: [1, 3],
    sourceImages: 400,
    sourceValShare: 0.2,
    albumValShare: 0.3,
    longSide: 320,
    portraitShare: 0.1,
    minObjectPx: 28,
    bandRadius: 1,
  },
  full: {
    name: 'full',
    users: 15,
    albumSize: [620, 720],
    places: [6, 10],
    companions: [1, 3],
    sourceImages: 4000,
    sourceValShare: 0.2,
    albumValShare: 0.3,
    longSide: 500,
    portraitShare: 0.12,
    minObjectPx: 36,
    bandRadius: 2,
  },
  verdict: {
    name: 'verdict',
    users: 3,
    albumSize: [80, 80],
    places: [3, 4],
    companions: [1, 2],
    sourceImages: 300,
    sourceValShare: 0.2,
    albumValShare: 0.4,
    // Inside the training's long-side range (64 × [0.75, 1.5]), so native-size inference sees the trained scale.
    longSide: 80,
    portraitShare: 0.1,
    minObjectPx: 24,
    bandRadius: 0,
    oracleMasks: true,
  },
}

export function isPresetName(x: unknown): x is PresetName {
  return typeof x === 'string' && (PRESET_NAMES as readonly string[]).includes(x)
}
