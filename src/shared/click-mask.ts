/**
 * Model-assisted click masks (issue 16 item 5): what the studio sends the editor for one image — the
 * class probabilities of the album's best model at a bounded resolution, as the top two classes per
 * pixel with their probabilities quantised to bytes (4 bytes a pixel instead of 21 floats), so a
 * 4032×3024 photo's map (512×384) crosses the door as ~1 MB of base64. The editor upsamples it and does
 * the click → region → refine work itself (src/renderer/src/editor/tools/click-mask-region.ts).
 */

/** Long side of the probability map (pixels); the map keeps the photo's aspect ratio. */
export const CLICK_MASK_MAX_SIDE = 512

/** The model the map came from, and why it was chosen. */
export interface ClickMaskModel {
  /** The run whose model it is (an album run, or a source-model run when the album has no scored run). */
  runId: number
  /** "No-DA #4", "Source model #1". */
  label: string
  kind: 'album-run' | 'source-model'
  /** The run's FIoU on its validation split (0–1); null for a source model. */
  fiou: number | null
  /** Which stage folder and snapshot predicted. */
  stage: string
  iteration: number
  /** One line for the editor: which model and why this one. */
  reason: string
}

export interface ClickMaskMapReady {
  available: true
  imageId: number
  /** The photo's size (original pixels). */
  imageWidth: number
  imageHeight: number
  /** The map's size (long side ≤ CLICK_MASK_MAX_SIDE). */
  width: number
  height: number
  numClasses: number
  /**
   * Base64 of 4 planes of width·height bytes, in this order: top-1 class, top-1 probability·255 (rounded),
   * top-2 class, top-2 probability·255.
   */
  top2Base64: string
  model: ClickMaskModel
  /** Served from the on-disk cache (no forward pass ran for this call). */
  cached: boolean
  /** The forward pass's wall time when it ran for this call (engine worker, decode included); null when cached. */
  forwardMs: number | null
}

export interface ClickMaskMapMissing {
  available: false
  imageId: number
  /** Said to the curator as is ("This project has no trained model yet: …"). */
  reason: string
}

export type ClickMaskMap = ClickMaskMapReady | ClickMaskMapMissing
