/**
 * How a cluster is named on screen, the same in every view (cards, grid chip, viewer, editor coverage):
 * clusters are stored from 0 but shown from 1 ("Cluster 1" is stored cluster 0), as people count.
 * Null or -1 (an image imported after the clustering) is "Unclustered".
 */

/** The shown number of stored cluster `c` ("1" for 0), or "—" when the image has none. */
export function clusterNumber(c: number | null | undefined): string {
  return c === null || c === undefined || c < 0 ? '—' : String(c + 1)
}

/** "Cluster 1" for stored cluster 0; "Unclustered" for none. */
export function clusterLabel(c: number | null | undefined): string {
  return c === null || c === undefined || c < 0 ? 'Unclustered' : `Cluster ${c + 1}`
}
