/** Small formatting helpers for people-facing numbers. */

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = bytes / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}

/** "12 img/s", "3.4 steps/s", "1.2 MB/s": training counts steps, a download bytes, every other job images (or files). */
export function formatRate(
  rate: number | null | undefined,
  unit: 'images' | 'steps' | 'bytes' = 'images',
): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return ''
  if (unit === 'bytes') return `${formatBytes(rate)}/s`
  const per = unit === 'steps' ? 'steps/s' : 'img/s'
  return rate >= 10 ? `${Math.round(rate)} ${per}` : `${rate.toFixed(1)} ${per}`
}

/**
 * "3.4 steps/s · 1m 04s left": the rate and ETA line of a job or a live run. The jobs panel and the run
 * page both print it from the same progress report, so they agree at the same moment.
 */
export function formatProgressStats(p: {
  rate?: number | null
  unit?: 'images' | 'steps' | 'bytes' | undefined
  etaSeconds: number | null
}): string {
  return [formatRate(p.rate, p.unit ?? 'images'), formatEta(p.etaSeconds)].filter((s) => s !== '').join(' · ')
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return ''
  const s = Math.round(seconds)
  if (s < 60) return `${s}s left`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s left`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m left`
}

export function formatDate(iso: string | null): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
}

/** EXIF orientation 1–8 in words. */
export function orientationLabel(o: number): string {
  const names: Record<number, string> = {
    1: 'normal',
    2: 'mirrored',
    3: 'rotated 180°',
    4: 'mirrored, rotated 180°',
    5: 'mirrored, rotated 90° CW',
    6: 'rotated 90° CW',
    7: 'mirrored, rotated 90° CCW',
    8: 'rotated 90° CCW',
  }
  return `${o} (${names[o] ?? 'unknown'})`
}

export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0
  return Math.max(0, Math.min(100, (part / whole) * 100))
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`
}
