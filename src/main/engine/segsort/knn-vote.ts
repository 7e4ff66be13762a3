/**
 * SegSort inference (Hwang et al. 2019 §3.3): a segment is labelled by the majority vote of its k nearest
 * annotated segments in the memory bank, by cosine similarity of the (unit) prototypes. Ties go to the
 * class whose voters are more similar in total, then to the lower class index. Pure math, no tfjs.
 */

export interface Neighbour {
  /** Index of the bank entry. */
  index: number
  similarity: number
}

export interface Vote {
  label: number
  /** The k nearest entries, most similar first. */
  neighbours: Neighbour[]
  /** Votes per class among the neighbours. */
  votes: Record<number, number>
}

/** Prototypes of a bank: `count` unit vectors of `dim` values and the class of each. */
export interface BankVectors {
  dim: number
  prototypes: Float32Array
  labels: ArrayLike<number>
}

/** The k most similar entries (cosine = dot of unit vectors), most similar first; ties by lower index. */
export function nearestEntries(bank: BankVectors, query: ArrayLike<number>, k: number): Neighbour[] {
  const { dim } = bank
  if (query.length !== dim) throw new Error(`knn: the query has ${query.length} values, the bank ${dim}`)
  const count = bank.labels.length
  if (bank.prototypes.length !== count * dim) {
    throw new Error(`knn: the bank holds ${bank.prototypes.length} values for ${count} entries of ${dim}`)
  }
  const sims: Neighbour[] = []
  for (let j = 0; j < count; j++) {
    let s = 0
    for (let t = 0; t < dim; t++) s += (bank.prototypes[j * dim + t] as number) * (query[t] as number)
    sims.push({ index: j, similarity: s })
  }
  sims.sort((a, b) => b.similarity - a.similarity || a.index - b.index)
  return sims.slice(0, Math.max(0, Math.min(k, count)))
}

export function knnVote(bank: BankVectors, query: ArrayLike<number>, k: number): Vote {
  if (bank.labels.length === 0) throw new Error('knn: the memory bank is empty')
  const neighbours = nearestEntries(bank, query, k)
  const votes: Record<number, number> = {}
  const mass: Record<number, number> = {}
  for (const n of neighbours) {
    const c = bank.labels[n.index] as number
    votes[c] = (votes[c] ?? 0) + 1
    mass[c] = (mass[c] ?? 0) + n.similarity
  }
  let label = -1
  for (const key of Object.keys(votes)) {
    const c = Number(key)
    if (
      label < 0 ||
      votes[c]! > votes[label]! ||
      (votes[c] === votes[label] && (mass[c]! > mass[label]! || (mass[c] === mass[label] && c < label)))
    ) {
      label = c
    }
  }
  return { label, neighbours, votes }
}
