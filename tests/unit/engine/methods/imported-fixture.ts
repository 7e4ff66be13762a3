/**
 * The shared setup of the imported-model adaptation tests: a torchvision segmentation model written by
 * Debian's torchvision at test time (random weights, seed 3, /usr/bin/python3), the tiny synthetic
 * benchmark's source files and first album, and the adaptation config those tests vary.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { generateSyntheticBenchmark } from '../../../../src/main/datasets/synthetic'
import type { AdaptConfigInput } from '../../../../src/main/engine/methods/adapt-config'
import type { PthSource } from '../../../../src/main/engine/methods/source-model'
import { sha256File } from '../../../../src/main/engine/models/torch/inspect-pth'
import { listPisAlbums } from '../../../../src/main/engine/pipelines/pis-albums'
import { vocLabelledFiles } from '../../../../src/main/engine/pipelines/voc-source'

export interface ImportedFixture {
  tmp: string
  pth: PthSource
  source: { image: string; mask: string }[]
  target: { image: string; name: string }[]
  /** An AdvEnt adaptation from the model, in <tmp>/runs/<name>, at 32², batch 2 (overridable). */
  config(name: string, extra?: Partial<AdaptConfigInput>): AdaptConfigInput
  remove(): void
}

export async function importedFixture(o: {
  prefix: string
  /** The torchvision builder, e.g. `deeplabv3_resnet50` (called with num_classes=21 and `builderArgs`). */
  arch: PthSource['arch']
  builderArgs?: string
  aux: boolean
  /** The .pth's file name (default `<arch>.pth`). */
  fileName?: string
  images: number
  steps: number
}): Promise<ImportedFixture> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix))
  const file = path.join(tmp, o.fileName ?? `${o.arch}.pth`)
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, torch; from torchvision.models import segmentation as s; torch.manual_seed(3); ' +
        `torch.save(s.${o.arch}(weights=None, weights_backbone=None, num_classes=21${o.builderArgs ?? ''}).state_dict(), sys.argv[1])`,
      file,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  )
  const pth: PthSource = { kind: 'pth', file, arch: o.arch, sha256: await sha256File(file), aux: o.aux }
  const bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 1 })
  const source = vocLabelledFiles(bench, 'train').slice(0, o.images)
  const target = listPisAlbums(bench)[0]!
    .images.slice(0, o.images)
    .map((i) => ({ image: i.file, name: i.name }))
  return {
    tmp,
    pth,
    source,
    target,
    config: (name, extra = {}) => ({
      runDir: path.join(tmp, 'runs', name),
      seed: 5,
      steps: o.steps,
      batch: 2,
      size: 32,
      width: 16,
      ndf: 8,
      backend: 'wasm',
      source,
      target,
      init: pth,
      method: { kind: 'advent' },
      ...extra,
    }),
    remove: () => fs.rmSync(tmp, { recursive: true, force: true }),
  }
}
