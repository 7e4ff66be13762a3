/** Which screen is showing, kept in the URL hash so reload and back/forward work. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { formatRoute, parseRoute, type LibraryTarget, type Route } from '../nav/route'

export const useNavStore = defineStore('nav', () => {
  const route = ref<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash))

  const target = computed<LibraryTarget | null>(() => (route.value.name === 'start' || route.value.name === 'results' ? null : route.value.target))

  function go(next: Route, replace = false): void {
    route.value = next
    const hash = formatRoute(next)
    if (typeof location !== 'undefined' && location.hash !== hash) {
      if (replace) history.replaceState(history.state, '', hash)
      else history.pushState(history.state, '', hash)
    }
  }

  /** Follows the address bar (back/forward, typed hash). */
  function syncFromLocation(): void {
    route.value = parseRoute(location.hash)
  }

  return { route, target, go, syncFromLocation }
})
