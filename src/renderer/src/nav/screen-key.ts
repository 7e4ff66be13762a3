/**
 * Which screen a route shows, as a string: the route's name and its album or dataset. The image is left
 * out on purpose: stepping through images with D/A stays on one screen (its notices stay too).
 */
import type { Route } from './route'
import { exhaustive } from '../util/exhaustive'

export function screenKey(route: Route): string {
  switch (route.name) {
    case 'start':
    case 'results':
      return route.name
    case 'library':
      return route.target ? `library:${route.target.kind}:${route.target.id}` : 'library'
    case 'image':
    case 'annotate':
    case 'runs':
    case 'clusters':
    case 'compare':
      return `${route.name}:${route.target.kind}:${route.target.id}`
    default:
      return exhaustive(route)
  }
}
