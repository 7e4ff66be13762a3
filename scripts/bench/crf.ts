/**
 * `npm run bench:crf [-- --runs N] [-- --json]`
 *
 * Times the dense CRF (permutohedral lattice, DeepLab defaults, 10 iterations) on the VOC case: a 500×375
 * image with 21 classes of soft, noisy probabilities. Reports wall and CPU time per run and the machine's
 * load, so a number in docs/BENCHMARKS.md carries its conditions. (It used to be a timed unit test.)
 */
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { denseCrf } from '../../src/main/engine/postprocess'

function parseRuns(argv: string[]): { runs: number; json: boolean } {
  let runs = 5
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') json = true
    else if (a === '--runs') runs = Number(argv[++i])
    else throw new Error(`unknown option ${a}; allowed: --runs N, --json`)
  }
  if (!Number.isInteger(runs) || runs < 1 || runs > 100)
    throw new Error('--runs must be an integer from 1 to 100')
  return { runs, json }
}

/** Deterministic uniform [0, 1) (LCG): the same scene on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** A VOC-like scene: a few smooth colour regions with mild noise, and soft 21-class probabilities. */
function vocScene(W: number, H: number, C: number): { rgb: Uint8Array; probs: Float32Array } {
  const rnd = lcg(7)
  const n = W * H
  const rgb = new Uint8Array(n * 3)
  const probs = new Float32Array(n * C)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x
      const region = (x > 220 ? 1 : 0) + ((x - 250) ** 2 + (y - 200) ** 2 < 90 ** 2 ? 2 : 0)
      rgb[i * 3] = 60 * region + 40 + Math.round(rnd() * 10)
      rgb[i * 3 + 1] = 200 - 40 * region + Math.round(rnd() * 10)
      rgb[i * 3 + 2] = 30 * region + Math.round(rnd() * 10) + x / 10
      let s = 0
      for (let l = 0; l < C; l++) {
        const v = Math.exp((l === region * 5 ? 2 : 0) + 1.5 * rnd())
        probs[i * C + l] = v
        s += v
      }
      for (let l = 0; l < C; l++) probs[i * C + l]! /= s
    }
  return { rgb, probs }
}

const { runs, json } = parseRuns(process.argv.slice(2))
const W = 500
const H = 375
const C = 21
const { rgb, probs } = vocScene(W, H, C)
const load = loadavg()[0]!
const wall: number[] = []
const cpu: number[] = []
for (let r = 0; r < runs; r++) {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  denseCrf(probs, { width: W, height: H, data: rgb }, C)
  const c = process.cpuUsage(c0)
  wall.push(performance.now() - t0)
  cpu.push((c.user + c.system) / 1000)
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
const result = {
  case: `${W}x${H}, ${C} classes, 10 iterations`,
  runs,
  wallMs: { median: median(wall), min: Math.min(...wall) },
  cpuMs: { median: median(cpu), min: Math.min(...cpu) },
  machine: { cores: cpus().length, loadAvg1Before: load, loadAvg1After: loadavg()[0]! },
}
if (json) console.log(JSON.stringify(result))
else
  console.log(
    `dense CRF ${result.case}: wall median ${result.wallMs.median.toFixed(0)} ms (min ${result.wallMs.min.toFixed(0)}), ` +
      `CPU median ${result.cpuMs.median.toFixed(0)} ms; ${result.machine.cores} cores, load ${load.toFixed(2)}`,
  )
