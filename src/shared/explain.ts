/**
 * Explanations of SegSort predictions, as the API returns them (plain data, no Node or DOM imports):
 * the segment under a point of a predicted image, its k-NN vote, and the annotated segments of the memory
 * bank it was retrieved from (Hwang et al. 2019: every label is explained by its nearest segments).
 */

/** [x0, y0, x1, y1) in the image's original pixels. */
export type PixelBox = [number, number, number, number]

export interface ExplainVote {
  label: number
  name: string
  count: number
}

export interface ExplainNeighbour {
  /** 1 = most similar. */
  rank: number
  /** The annotated image the segment comes from (a source image, or an album validation image). */
  imageId: number
  imageName: string | null
  /** 'source' or 'album-validation' (the latter makes a run's metrics not held out). */
  origin: string
  bbox: PixelBox
  imageWidth: number
  imageHeight: number
  label: number
  labelName: string
  /** Cosine similarity of the prototypes (−1…1). */
  similarity: number
  media: { image: string; thumb: string }
}

export interface ExplainedRegion {
  runId: number
  imageId: number
  x: number
  y: number
  segment: {
    id: number
    label: number
    labelName: string
    /** Pixels at the original size. */
    pixels: number
    bbox: PixelBox
    votes: ExplainVote[]
    /** The image's segment map (palette PNG, pixel value = segment id, original size). */
    segmentsMedia: string
  }
  /** k of the k-NN vote. */
  knn: number
  bank: { entries: number; origins: string[] }
  neighbours: ExplainNeighbour[]
}

/**
 * What a SegSort run's memory bank holds: the source set's segments (default; the metrics stay held out),
 * or those plus the album's validation masks' segments (the scored masks are then in the bank, so the
 * metrics are NOT held out — the run record says so).
 */
export const SEGSORT_BANKS = ['source', 'source+validation'] as const
export type SegsortBank = (typeof SEGSORT_BANKS)[number]
