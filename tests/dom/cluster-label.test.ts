/** Clusters are stored from 0 and shown from 1, the same in every view; no cluster is "Unclustered". */
import { describe, expect, it } from 'vitest'
import { clusterLabel, clusterNumber } from '../../src/renderer/src/clusters/cluster-label'

describe('cluster names on screen', () => {
  it('shows stored cluster c as number c + 1', () => {
    expect(clusterLabel(0)).toBe('Cluster 1')
    expect(clusterLabel(11)).toBe('Cluster 12')
    expect(clusterNumber(0)).toBe('1')
    expect(clusterNumber(11)).toBe('12')
  })

  it('names images without a cluster (null, or -1 in a grid filter)', () => {
    expect(clusterLabel(null)).toBe('Unclustered')
    expect(clusterLabel(-1)).toBe('Unclustered')
    expect(clusterLabel(undefined)).toBe('Unclustered')
    expect(clusterNumber(null)).toBe('—')
    expect(clusterNumber(-1)).toBe('—')
  })
})
