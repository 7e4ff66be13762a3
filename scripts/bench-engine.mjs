#!/usr/bin/env node
/**
 * Engine benchmark: train-step time of the compact segmentation net on tfjs (wasm + the project's kernels,
 * and stock cpu for the speed-up ratio) and of the identical net in PyTorch on CPU, interleaved in one run.
 *
 *   node scripts/bench-engine.mjs [--quick] [--json] [--no-torch] [--torch2] [--profile] [--steps N]
 *
 * --quick    fewer steps (≈ 5 minutes on a quiet 2-core machine)
 * --json     print one JSON line {configs:[…], speedupVsStockCpu, …} instead of the table
 * --no-torch skip the PyTorch peer
 * --torch2   also time PyTorch with 2 threads (only meaningful on an otherwise idle machine: OpenMP threads
 *            spin, and on shared cores they slow down everything, themselves included)
 * --profile  also print the per-kernel CPU-time profile of a step for two tfjs configs
 * --no-resnet50  skip the paper's PSP-ResNet-50 at 320², batch 8 (minutes per step on CPU; --quick
 *                skips it unless --resnet50 is given)
 * --only-resnet50  run only that part
 * --torchvision  also time torchvision's LR-ASPP and DeepLabV3 MobileNetV3-Large at 320² (eval inference at
 *                batch 1, and one AdvEnt adaptation step at batch 2, exactly as the studio runs it) against
 *                torchvision itself in PyTorch (1 thread), interleaved; with --quick ≈ 3–6 minutes on a quiet
 *                2-core machine, so it is opt-in rather than part of --quick
 * --only-torchvision  run only those rows (with --profile: the per-kernel profile of their AdvEnt steps)
 *
 * The TypeScript bench module is bundled with Vite (already a dev dependency) into .tmp/bench-engine/.
 * The PyTorch peer needs Debian's python3-torch; if `import torch` fails, this script installs it with
 * apt-get (benchmark setup only; CI never runs this script).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import * as readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const has = (f) => args.includes(f)
const quick = has('--quick')
const asJson = has('--json')
const withTorch = !has('--no-torch')
const withProfile = has('--profile')
const withTorch2 = has('--torch2')
const withResnet50 = !has('--no-resnet50') && (!quick || has('--resnet50'))
const onlyResnet50 = has('--only-resnet50')
const onlyTorchvision = has('--only-torchvision')
const withTorchvision = has('--torchvision') || onlyTorchvision
const stepsArg = args.indexOf('--steps')
const steps = stepsArg >= 0 ? Number(args[stepsArg + 1]) : quick ? 4 : 10
const PYTHON = '/usr/bin/python3'

const log = (...a) => {
  if (!asJson) console.log(...a)
  else console.error(...a)
}

async function bundleBench() {
  const { build } = await import('vite')
  const outDir = path.join(root, '.tmp', 'bench-engine')
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: path.join(root, 'src/main/engine/bench/train-bench.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node20',
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'train-bench.cjs' } },
    },
  })
  return createRequire(import.meta.url)(path.join(outDir, 'train-bench.cjs'))
}

function ensureTorch() {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' })
  if (probe.status === 0) return probe.stdout.trim()
  log('PyTorch is missing: installing Debian python3-torch with apt-get (benchmark setup, not CI)…')
  const apt = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-torch'], {
    stdio: asJson ? ['ignore', 'ignore', 'inherit'] : 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  if (apt.status !== 0)
    throw new Error('apt-get install python3-torch failed; run with --no-torch to skip the peer')
  const again = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' })
  if (again.status !== 0) throw new Error(`python3-torch installed but import torch fails: ${again.stderr}`)
  return again.stdout.trim()
}

/** A long-running peer process answering one JSON request per line. */
function startTorchPeer() {
  const child = spawn(PYTHON, [path.join(root, 'scripts/bench/engine/torch_peer.py')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' },
  })
  const lines = readline.createInterface({ input: child.stdout })
  const waiting = []
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l)))
  return {
    run(req) {
      return new Promise((resolve) => {
        waiting.push(resolve)
        child.stdin.write(JSON.stringify(req) + '\n')
      })
    },
    close() {
      child.stdin.end()
    },
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function machine() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    logicalCores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAvg1m: os.loadavg()[0],
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  }
}

const commandLine = () => `node scripts/bench-engine.mjs ${args.join(' ')}`.trim()

/**
 * The paper's network, PSP-ResNet-50 at 320², batch 8 (docs/method.md §2), supervised: a step is minutes of
 * CPU, so one timed step after one warm-up. The wasm heap is 32-bit (4 GiB at most): when batch 8 does not
 * fit, the row says so and the largest batch that fits is timed too, next to PyTorch at the same batch.
 */
async function resnet50Rows(peer) {
  const rows = []
  const size = 320
  for (const batch of [8, 4, 2, 1]) {
    // A fresh process per attempt: after a wasm out-of-memory abort the module is unusable.
    const r = resnet50Child(batch)
    let tm = null
    let torchParams = null
    if (peer && (r.msPerStep != null || batch === 8)) {
      const a = await peer.run({
        size,
        width: 16,
        batch,
        mode: 'supervised',
        steps: 1,
        warmup: 1,
        threads: 1,
        backbone: 'resnet50',
      })
      tm = a.msPerStep
      torchParams = a.segParams
    }
    if (r.segParams != null && torchParams !== null && torchParams !== r.segParams) {
      throw new Error(`PSP-ResNet-50 mismatch: tfjs ${r.segParams} vs PyTorch ${torchParams} parameters`)
    }
    const ok = r.msPerStep != null
    rows.push({
      backend: 'wasm',
      backbone: 'psp-resnet50',
      size,
      width: null,
      batch,
      mode: 'supervised',
      msPerStep: ok ? r.msPerStep : null,
      torchMsPerStep: tm,
      ratioVsTorch: ok && tm ? r.msPerStep / tm : null,
      params: r.segParams ?? torchParams,
      steps: ok ? 1 : 0,
      rssMiB: r.rssMiB ?? null,
      wasmHeapMiB: r.wasmHeapMiB ?? null,
      ...(ok ? {} : { error: r.error }),
    })
    log(
      `wasm PSP-ResNet-50 320² batch ${batch}: ` +
        (ok ? `${fmt(r.msPerStep, 0)} ms/step` : `failed (${r.error})`) +
        (tm ? ` | torch 1 thread ${fmt(tm, 0)} ms` + (ok ? ` (×${fmt(r.msPerStep / tm, 2)})` : '') : ''),
    )
    if (ok) break
  }
  return rows
}

/** Runs one PSP-ResNet-50 wasm step in a child process (this script with --resnet50-child B). */
function resnet50Child(batch) {
  const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--resnet50-child', String(batch)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  })
  const last = c.stdout.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(last)
  } catch {
    const why = (c.stderr || c.stdout || '').trim().split('\n').slice(-2).join(' ')
    return { error: `exit ${c.status ?? c.signal}: ${why}` }
  }
}

async function resnet50ChildMain(batch) {
  // The parent bundled it moments ago.
  const bench = createRequire(import.meta.url)(path.join(root, '.tmp', 'bench-engine', 'train-bench.cjs'))
  const cfg = {
    backend: 'wasm',
    backbone: 'resnet50',
    size: 320,
    width: 16,
    batch,
    mode: 'supervised',
    steps: 1,
    warmup: 1,
  }
  try {
    const r = await bench.runTrainBench(cfg)
    console.log(
      JSON.stringify({
        msPerStep: r.msPerStep,
        segParams: r.segParams,
        rssMiB: Math.round(r.rssMiB),
        wasmHeapMiB: r.wasmHeapMiB == null ? null : Math.round(r.wasmHeapMiB),
      }),
    )
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    // Emscripten aborts without a reason when the 32-bit wasm heap cannot grow (4 GiB at most).
    const why = /Aborted/.test(msg) ? `wasm heap exhausted (${msg.split('.')[0]})` : msg
    console.log(JSON.stringify({ error: why }))
  }
}

/**
 * torchvision's LR-ASPP and DeepLabV3 MobileNetV3-Large at 320²: inference (eval, batch 1, per image) and one
 * AdvEnt step (batch 2: two source + two target images; fits the wasm heap) on tfjs-wasm and in PyTorch with
 * 1 thread, interleaved in rounds. Median and min of the samples; ratio = tfjs median / PyTorch median.
 */
async function torchvisionRows(bench, peer) {
  const size = 320
  const rows = []
  const rounds = 2
  for (const arch of bench.TORCHVISION_BENCH_ARCHS) {
    for (const [mode, batch, per] of [
      ['infer', 1, quick ? 3 : 6],
      ['advent', 2, quick ? 2 : 4],
    ]) {
      const tf = []
      const pt = []
      let tfLast = null
      let ptLast = null
      for (let r = 0; r < rounds; r++) {
        tfLast = await bench.runTorchvisionBench({
          backend: 'wasm',
          arch,
          size,
          batch,
          mode,
          steps: per,
          warmup: 1,
        })
        tf.push(...tfLast.samplesMs)
        if (peer) {
          ptLast = await peer.run({ torchvision: arch, size, batch, mode, steps: per, warmup: 1, threads: 1 })
          pt.push(...ptLast.samplesMs)
        }
      }
      if (ptLast && (ptLast.segParams !== tfLast.segParams || ptLast.discParams !== tfLast.discParams)) {
        throw new Error(
          `${arch}: architecture mismatch, tfjs ${tfLast.segParams}+${tfLast.discParams} vs PyTorch ` +
            `${ptLast.segParams}+${ptLast.discParams} parameters (segmenter+discriminator)`,
        )
      }
      // Inference is reported per image (batch 1 anyway); the AdvEnt step per step of `batch`.
      const t = bench.sampleStats(tf)
      const p = pt.length ? bench.sampleStats(pt) : null
      const row = {
        backend: 'wasm',
        arch,
        size,
        batch,
        mode,
        unit: mode === 'infer' ? 'ms/image' : 'ms/step',
        msMedian: t.msMedian / (mode === 'infer' ? batch : 1),
        msMin: t.msMin / (mode === 'infer' ? batch : 1),
        torchMsMedian: p ? p.msMedian / (mode === 'infer' ? batch : 1) : null,
        torchMsMin: p ? p.msMin / (mode === 'infer' ? batch : 1) : null,
        ratioVsTorch: p ? bench.ratio(t.msMedian, p.msMedian) : null,
        target: mode === 'infer' ? 2 : 3,
        segParams: tfLast.segParams,
        discParams: tfLast.discParams,
        samples: tf.length,
        rssMiB: Math.round(tfLast.rssMiB),
      }
      row.targetMet = row.ratioVsTorch == null ? null : row.ratioVsTorch <= row.target
      rows.push(row)
      log(
        `wasm ${arch} 320² ${mode === 'infer' ? 'inference b1' : 'AdvEnt step b2'}: ` +
          `${fmt(row.msMedian, 0)} (min ${fmt(row.msMin, 0)}) ${row.unit}` +
          (p
            ? ` | torch 1 thread ${fmt(row.torchMsMedian, 0)} (min ${fmt(row.torchMsMin, 0)})` +
              ` (×${fmt(row.ratioVsTorch, 2)}, target ≤ ${row.target}×: ${row.targetMet ? 'met' : 'not met'})`
            : ''),
      )
    }
  }
  // The album estimate (300 AdvEnt steps + predicting 100 images with LR-ASPP): from the rows, not a run.
  const step = rows.find((r) => r.arch === 'lraspp_mobilenet_v3_large' && r.mode === 'advent')
  const inf = rows.find((r) => r.arch === 'lraspp_mobilenet_v3_large' && r.mode === 'infer')
  const estimate = {
    what: 'estimate from measured per-step costs, not a measured run: 300 AdvEnt steps (batch 2) + 100 images predicted at 320²',
    minutes: bench.albumEstimateMinutes({
      steps: 300,
      msPerStep: step.msMedian,
      images: 100,
      msPerImage: inf.msMedian,
    }),
    torchMinutes:
      step.torchMsMedian == null
        ? null
        : bench.albumEstimateMinutes({
            steps: 300,
            msPerStep: step.torchMsMedian,
            images: 100,
            msPerImage: inf.torchMsMedian,
          }),
  }
  log(
    `LR-ASPP 100-image album estimate: ${fmt(estimate.minutes, 1)} min on tfjs-wasm` +
      (estimate.torchMinutes != null ? `, ${fmt(estimate.torchMinutes, 1)} min in PyTorch 1 thread` : '') +
      ' (estimate, not a run)',
  )
  const profiles = []
  if (withProfile) {
    for (const arch of bench.TORCHVISION_BENCH_ARCHS) {
      const pr = await bench.profileTorchvisionStep({
        backend: 'wasm',
        arch,
        size,
        batch: 2,
        mode: 'advent',
        steps: 1,
        warmup: 1,
      })
      const top = pr.kernels.slice(0, 12).map((k) => ({
        kernel: k.kernel,
        cpuMs: Number(k.ms.toFixed(1)),
        calls: k.calls,
        share: Number(k.share.toFixed(3)),
      }))
      profiles.push({
        arch,
        mode: 'advent',
        batch: 2,
        stepCpuMs: Math.round(pr.stepCpuMs),
        kernelCpuMs: Math.round(pr.kernelCpuMs),
        top,
      })
      log(
        `\nCPU-time profile, wasm ${arch} 320² AdvEnt step b2: ${fmt(pr.stepCpuMs, 0)} ms CPU, ${fmt(pr.kernelCpuMs, 0)} ms in kernels:`,
      )
      for (const k of top)
        log(
          `  ${k.kernel.padEnd(24)} ${fmt(k.cpuMs).padStart(8)} ms  ${String(k.calls).padStart(4)} calls  ${(k.share * 100).toFixed(1)}%`,
        )
    }
  }
  return { rows, estimate, profiles }
}

const fmt = (v, d = 1) => (v == null || Number.isNaN(v) ? '—' : v.toFixed(d))

async function main() {
  const bench = await bundleBench()
  const torchVersion = withTorch ? ensureTorch() : null
  const peer = withTorch ? startTorchPeer() : null
  const loadBefore = os.loadavg()[0]

  if (onlyTorchvision) {
    const tv = await torchvisionRows(bench, peer)
    peer?.close()
    const result = {
      torchvision: tv,
      machine: { ...machine(), loadAvg1mBefore: loadBefore },
      torch: torchVersion,
      command: commandLine(),
    }
    if (asJson) console.log(JSON.stringify(result))
    else log(`\nmachine: ${JSON.stringify(result.machine)}`)
    return
  }

  const wasmConfigs = [
    { size: 64, width: 16, mode: 'supervised' },
    { size: 64, width: 32, mode: 'supervised' },
    { size: 128, width: 16, mode: 'supervised' },
    { size: 128, width: 32, mode: 'supervised' },
    { size: 64, width: 16, mode: 'adversarial' },
    { size: 128, width: 16, mode: 'adversarial' },
  ]
  if (!quick) wasmConfigs.push({ size: 128, width: 32, mode: 'adversarial' })
  if (onlyResnet50) wasmConfigs.length = 0
  const batch = 4
  const rounds = 2
  const configs = []
  for (const c of wasmConfigs) {
    const tfSamples = []
    const t1 = []
    const t2 = []
    let tfLast = null
    let torchMeta = null
    // Interleave tfjs and torch in rounds, so background load hits both alike.
    for (let r = 0; r < rounds; r++) {
      const per = Math.max(1, Math.ceil(steps / rounds))
      const cfg = {
        backend: 'wasm',
        size: c.size,
        width: c.width,
        batch,
        mode: c.mode,
        steps: per,
        warmup: 1,
      }
      tfLast = await bench.runTrainBench(cfg)
      tfSamples.push(...tfLast.samplesMs)
      if (peer) {
        const req = { size: c.size, width: c.width, batch, mode: c.mode, steps: per, warmup: 1 }
        const a = await peer.run({ ...req, threads: 1 })
        t1.push(...a.samplesMs)
        torchMeta = a
        if (withTorch2) t2.push(...(await peer.run({ ...req, threads: 2 })).samplesMs)
      }
    }
    const ms = median(tfSamples)
    const tm1 = t1.length ? median(t1) : null
    const tm2 = t2.length ? median(t2) : null
    if (torchMeta && torchMeta.segParams !== tfLast.segParams) {
      throw new Error(
        `architecture mismatch: tfjs ${tfLast.segParams} vs PyTorch ${torchMeta.segParams} parameters`,
      )
    }
    const row = {
      backend: 'wasm',
      size: c.size,
      width: c.width,
      batch,
      mode: c.mode,
      msPerStep: ms,
      torchMsPerStep: tm1,
      ratioVsTorch: tm1 ? ms / tm1 : null,
      torch2ThreadsMsPerStep: tm2,
      ratioVsTorch2Threads: tm2 ? ms / tm2 : null,
      params: tfLast.segParams + tfLast.discParams,
      steps: tfSamples.length,
      rssMiB: Math.round(tfLast.rssMiB),
      wasmHeapMiB: tfLast.wasmHeapMiB == null ? null : Math.round(tfLast.wasmHeapMiB),
    }
    configs.push(row)
    log(
      `wasm ${c.size}² w${c.width} ${c.mode.padEnd(11)} ${fmt(ms)} ms/step` +
        (tm1 ? ` | torch 1 thread ${fmt(tm1)} (×${fmt(ms / tm1, 2)})` : '') +
        (tm2 ? ` | 2 threads ${fmt(tm2)} (×${fmt(ms / tm2, 2)})` : ''),
    )
  }

  if (withResnet50) configs.push(...(await resnet50Rows(peer)))
  const torchvision = withTorchvision ? await torchvisionRows(bench, peer) : null
  if (onlyResnet50) {
    peer?.close()
    const result = { configs, machine: machine(), torch: torchVersion, command: commandLine() }
    if (asJson) console.log(JSON.stringify(result))
    return
  }

  // Stock cpu (tfjs's own naive conv gradients) vs wasm + kernels, same net, same run: 64², w16, supervised.
  const stockSteps = quick ? 1 : 2
  const stock = await bench.runTrainBench({
    backend: 'cpu-stock',
    size: 64,
    width: 16,
    batch,
    mode: 'supervised',
    steps: stockSteps,
    warmup: 1,
  })
  const ref = configs.find((r) => r.size === 64 && r.width === 16 && r.mode === 'supervised')
  const speedupVsStockCpu = stock.msPerStep / ref.msPerStep
  configs.push({
    backend: 'cpu-stock',
    size: 64,
    width: 16,
    batch,
    mode: 'supervised',
    msPerStep: stock.msPerStep,
    torchMsPerStep: ref.torchMsPerStep,
    ratioVsTorch: ref.torchMsPerStep ? stock.msPerStep / ref.torchMsPerStep : null,
    steps: stockSteps,
  })
  log(
    `cpu-stock 64² w16 supervised ${fmt(stock.msPerStep)} ms/step → wasm+kernels is ${fmt(speedupVsStockCpu)}× faster`,
  )

  // The fallback backend: tfjs's cpu with the project's kernels, same net.
  const cpuSteps = quick ? 1 : 2
  const cpuK = await bench.runTrainBench({
    backend: 'cpu',
    size: 64,
    width: 16,
    batch,
    mode: 'supervised',
    steps: cpuSteps,
    warmup: 1,
  })
  configs.push({
    backend: 'cpu',
    size: 64,
    width: 16,
    batch,
    mode: 'supervised',
    msPerStep: cpuK.msPerStep,
    torchMsPerStep: ref.torchMsPerStep,
    ratioVsTorch: ref.torchMsPerStep ? cpuK.msPerStep / ref.torchMsPerStep : null,
    steps: cpuSteps,
  })
  log(
    `cpu + kernels 64² w16 supervised ${fmt(cpuK.msPerStep)} ms/step (${fmt(stock.msPerStep / cpuK.msPerStep)}× faster than stock cpu)`,
  )

  const profiles = []
  if (withProfile) {
    for (const c of [
      { size: 128, width: 16, mode: 'supervised' },
      { size: 128, width: 16, mode: 'adversarial' },
    ]) {
      const p = await bench.profileTrainStep({
        backend: 'wasm',
        size: c.size,
        width: c.width,
        batch,
        mode: c.mode,
        steps: 2,
        warmup: 1,
      })
      const top = p.kernels.slice(0, 12).map((k) => ({
        kernel: k.kernel,
        cpuMs: Number(k.ms.toFixed(1)),
        calls: k.calls,
        share: Number(k.share.toFixed(3)),
      }))
      profiles.push({ ...c, stepCpuMs: Math.round(p.stepCpuMs), kernelCpuMs: Math.round(p.kernelCpuMs), top })
      log(
        `\nCPU-time profile, wasm ${c.size}² w${c.width} ${c.mode}: ${fmt(p.stepCpuMs, 0)} ms CPU per step, ` +
          `${fmt(p.kernelCpuMs, 0)} ms in kernels, ${fmt(p.stepCpuMs - p.kernelCpuMs, 0)} ms outside (engine, GC, optimiser loop):`,
      )
      for (const k of top)
        log(
          `  ${k.kernel.padEnd(24)} ${fmt(k.cpuMs).padStart(7)} ms  ${String(k.calls).padStart(4)} calls  ${(k.share * 100).toFixed(1)}%`,
        )
    }
  }
  peer?.close()

  const result = {
    configs,
    speedupVsStockCpu,
    machine: { ...machine(), loadAvg1mBefore: loadBefore },
    torch: torchVersion,
    torchNote:
      'torchMsPerStep: PyTorch on CPU with 1 thread (tfjs-wasm runs on 1 thread in Node); torch2ThreadsMsPerStep: 2 OpenMP threads (--torch2 only)',
    gpu: 'not measured: no GPU here; @tensorflow/tfjs-node-gpu is not installed',
    profiles,
    ...(torchvision ? { torchvision } : {}),
    command: commandLine(),
  }
  if (asJson) console.log(JSON.stringify(result))
  else log(`\nmachine: ${JSON.stringify(result.machine)}`)
}

const childArg = args.indexOf('--resnet50-child')
const entry = childArg >= 0 ? resnet50ChildMain(Number(args[childArg + 1])) : main()
entry.catch((e) => {
  console.error(e instanceof Error ? e.stack : e)
  process.exit(1)
})
