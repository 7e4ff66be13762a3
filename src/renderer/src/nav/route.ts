/**
 * Hash routes of the studio (no router library: three screens do not need one).
 *   #/                          start page
 *   #/library                   project open, nothing selected
 *   #/album/3   #/source/2      a grid
 *   #/album/3/image/17          the viewer over that grid
 *   #/album/3/annotate/17       the annotation editor on that image
 *   #/album/3/runs              the album's runs and results
 *   #/album/3/clusters          the album by cluster, with its embedding map
 *   #/album/3/compare           images side by side under several runs (paper Fig. 4)
 *   #/results                   the project's results: users × methods, per-class IoU, training curves
 */
import { exhaustive } from '../util/exhaustive'

export type LibraryTarget = { kind: 'album' | 'source'; id: number }

export type Route =
  | { name: 'start' }
  | { name: 'library'; target: LibraryTarget | null }
  | { name: 'image'; target: LibraryTarget; imageId: number }
  | { name: 'annotate'; target: LibraryTarget; imageId: number }
  | { name: 'runs'; target: LibraryTarget }
  | { name: 'clusters'; target: LibraryTarget }
  | { name: 'compare'; target: LibraryTarget }
  | { name: 'results' }

function positiveInt(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return null
  const n = Number(s)
  return n > 0 ? n : null
}

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
  const [head, idText, sub, subId] = parts
  if (head === 'library') return { name: 'library', target: null }
  if (head === 'results') return { name: 'results' }
  if (head === 'album' || head === 'source') {
    const id = positiveInt(idText)
    if (id === null) return { name: 'library', target: null }
    const target: LibraryTarget = { kind: head, id }
    if (sub === 'runs' && head === 'album') return { name: 'runs', target }
    if ((sub === 'clusters' || sub === 'compare') && head === 'album') return { name: sub, target }
    const imageId = sub === 'image' || sub === 'annotate' ? positiveInt(subId) : null
    if (imageId === null) return { name: 'library', target }
    return sub === 'annotate' ? { name: 'annotate', target, imageId } : { name: 'image', target, imageId }
  }
  return { name: 'start' }
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'start':
      return '#/'
    case 'results':
      return '#/results'
    case 'library':
      return route.target ? `#/${route.target.kind}/${route.target.id}` : '#/library'
    case 'image':
      return `#/${route.target.kind}/${route.target.id}/image/${route.imageId}`
    case 'annotate':
      return `#/${route.target.kind}/${route.target.id}/annotate/${route.imageId}`
    case 'runs':
      return `#/${route.target.kind}/${route.target.id}/runs`
    case 'clusters':
    case 'compare':
      return `#/${route.target.kind}/${route.target.id}/${route.name}`
    default:
      return exhaustive(route)
  }
}

export function sameTarget(a: LibraryTarget | null, b: LibraryTarget | null): boolean {
  return a === b || (a !== null && b !== null && a.kind === b.kind && a.id === b.id)
}
