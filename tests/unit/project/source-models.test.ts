/**
 * Source models in the project (issue 14 item 4): `addSourceModel` stores a checked copy of a .pth in
 * models/ with its row, `listSourceModels` lists them, a duplicate (same sha256) is refused naming the model
 * it matches, and every bad input is refused naming the file with the project left exactly as it was (same
 * rows, same files). The .pth files are written by hand in torch.save's format, so no Python is needed.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../src/main/app/api-error'
import { Studio } from '../../../src/main/app/studio'
import { architectureSpec } from '../../../src/main/engine/models/torch/architecture-specs'
import { InvalidInputError } from '../../../src/main/project/errors'
import { projectPaths } from '../../../src/main/project/layout'
import { MODELS_DIR, SourceModelsRepo } from '../../../src/main/project/source-models-repo'
import { openDb } from '../../../src/main/project/db'
import { ErrorCode } from '../../../src/shared/api'
import type { SourceModel } from '../../../src/shared/source-models'
import { PickleWriter, writeSpecPth, writeTorchZip, float32Bytes } from '../engine/torch/torch-file-writer'
import { TempDirs } from './fixtures'

const tmp = new TempDirs()
let files: string
let root: string
let studio: Studio
/** LR-ASPP MobileNetV3-Large with 21 classes: what torchvision publishes for VOC (3,221,538 parameters). */
let lraspp: string

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

beforeAll(async () => {
  files = tmp.make('pss-pth-')
  lraspp = path.join(files, 'lraspp_mobilenet_v3_large-d234d4e8.pth')
  writeSpecPth(lraspp, architectureSpec('lraspp_mobilenet_v3_large', 21, false))
  studio = new Studio({ mode: 'cli', homeDir: tmp.make('pss-home-') })
  root = path.join(tmp.make('pss-proj-'), 'project')
  await studio.api.createProject({ path: root })
})

afterAll(async () => {
  await studio.close()
  tmp.cleanup()
})

/** Every file and folder under the project (relative), except the database's journals. */
function listing(): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = path.relative(root, path.join(dir, e.name))
      if (/^project\.sqlite-(wal|shm|journal)$/.test(rel)) continue
      out.push(e.isDirectory() ? `${rel}/` : rel)
      if (e.isDirectory()) walk(path.join(dir, e.name))
    }
  }
  walk(root)
  return out.sort()
}

function rowCount(): number {
  const db = openDb(projectPaths(root).db, { readonly: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM source_models').get() as { n: number }).n
  } finally {
    db.close()
  }
}

async function refusal(args: { path: string; name?: string }): Promise<ApiError> {
  try {
    await studio.api.addSourceModel(args)
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError)
    return e as ApiError
  }
  throw new Error(`addSourceModel(${args.path}) should have been refused`)
}

describe('source models', () => {
  let first: SourceModel

  it('adds a checked copy of an LR-ASPP checkpoint, byte-identical to the original, and lists it', async () => {
    expect(await studio.api.listSourceModels({})).toEqual([])
    first = await studio.api.addSourceModel({ path: lraspp })
    const sha = sha256(lraspp)
    expect(first).toMatchObject({
      id: 1,
      name: 'lraspp_mobilenet_v3_large-d234d4e8',
      arch: 'lraspp_mobilenet_v3_large',
      classes: 21,
      parameterCount: 3_221_538,
      hasAux: false,
      sha256: sha,
      file: `${MODELS_DIR}/${sha.slice(0, 12)}-lraspp_mobilenet_v3_large-d234d4e8.pth`,
      originalPath: lraspp,
      bytes: fs.statSync(lraspp).size,
      tensors: 319,
      wrappedIn: null,
      strippedPrefix: null,
    })
    const stored = path.join(root, first.file)
    expect(sha256(stored)).toBe(sha)
    // Nothing but the stored file in models/ (no temp file left behind).
    expect(fs.readdirSync(path.join(root, MODELS_DIR))).toEqual([path.basename(stored)])
    expect(await studio.api.listSourceModels({})).toEqual([first])
  })

  it('lists a second model (own name) after the first, and the copies outlive their originals', async () => {
    const other = path.join(files, 'other.pth')
    writeSpecPth(other, architectureSpec('lraspp_mobilenet_v3_large', 21, false), 0.02)
    const second = await studio.api.addSourceModel({ path: other, name: 'My LR-ASPP' })
    expect(second).toMatchObject({ id: 2, name: 'My LR-ASPP', sha256: sha256(other) })
    expect(second.file).toBe(`${MODELS_DIR}/${second.sha256.slice(0, 12)}-My LR-ASPP.pth`)
    fs.rmSync(other)
    const listed = await studio.api.listSourceModels({})
    expect(listed.map((m) => m.id)).toEqual([1, 2])
    expect(sha256(path.join(root, listed[1]!.file))).toBe(second.sha256)
  })

  it('refuses a checkpoint already in the project (also under another name), naming the model it matches', async () => {
    const copy = path.join(files, 'renamed-copy.pth')
    fs.copyFileSync(lraspp, copy)
    const before = { rows: rowCount(), files: listing() }
    for (const file of [lraspp, copy]) {
      const e = await refusal({ path: file })
      expect(e.code).toBe(ErrorCode.Conflict)
      expect(e.message).toBe(
        `${file} is already imported as source model #1 "lraspp_mobilenet_v3_large-d234d4e8" (${first.file}, ` +
          `sha256 ${first.sha256.slice(0, 12)}…); nothing was added`,
      )
    }
    expect({ rows: rowCount(), files: listing() }).toEqual(before)
  })

  describe('refuses bad input by name and leaves the project unchanged', () => {
    const unknownArch = (): Buffer =>
      new PickleWriter()
        .proto(2)
        .global('collections', 'OrderedDict')
        .emptyTuple()
        .reduce()
        .mark()
        .str('w')
        .tensor({ key: '0', storage: 'FloatStorage', numel: 2, offset: 0, size: [2], stride: [1] })
        .setitems()
        .stop()

    const cases: [string, () => string, ErrorCode, RegExp][] = [
      ['a missing file', () => path.join(files, 'nope.pth'), ErrorCode.NotFound, /nope\.pth does not exist$/],
      ['a folder', () => files, ErrorCode.BadArguments, /is a folder, not a \.pth checkpoint$/],
      [
        'an empty file',
        () => {
          const f = path.join(files, 'empty.pth')
          fs.writeFileSync(f, '')
          return f
        },
        ErrorCode.BadArguments,
        /empty\.pth is empty \(0 bytes\)/,
      ],
      [
        'a 2 GB file (sparse)',
        () => {
          const f = path.join(files, 'huge.pth')
          fs.writeFileSync(f, '')
          fs.truncateSync(f, 2 * 1024 ** 3)
          return f
        },
        ErrorCode.BadArguments,
        /huge\.pth is 2\.15 GB; the studio imports checkpoints up to 1\.07 GB/,
      ],
      [
        'a text file',
        () => {
          const f = path.join(files, 'notes.pth')
          fs.writeFileSync(f, 'not a checkpoint\n'.repeat(10))
          return f
        },
        ErrorCode.BadArguments,
        /notes\.pth: is not a PyTorch checkpoint/,
      ],
      [
        'a truncated zip',
        () => {
          const f = path.join(files, 'truncated.pth')
          const bytes = fs.readFileSync(lraspp)
          fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)))
          return f
        },
        ErrorCode.BadArguments,
        /truncated\.pth: the zip archive is damaged or truncated/,
      ],
      [
        'an unknown architecture',
        () => {
          const f = path.join(files, 'unknown.pth')
          writeTorchZip(f, unknownArch(), { '0': float32Bytes([1, 2]) })
          return f
        },
        ErrorCode.BadArguments,
        /unknown\.pth: unknown architecture/,
      ],
      [
        'a wrong class count',
        () => {
          const f = path.join(files, 'ten.pth')
          writeSpecPth(f, architectureSpec('lraspp_mobilenet_v3_large', 10, false))
          return f
        },
        ErrorCode.BadArguments,
        /ten\.pth: lraspp_mobilenet_v3_large with 10 classes/,
      ],
      [
        'mismatched shapes',
        () => {
          const f = path.join(files, 'shapes.pth')
          const spec = architectureSpec('lraspp_mobilenet_v3_large', 21, false)
          spec.set('classifier.cbr.0.weight', [64, 960, 1, 1])
          writeSpecPth(f, spec)
          return f
        },
        ErrorCode.BadArguments,
        /shapes\.pth: .*classifier\.cbr\.0\.weight is \[64, 960, 1, 1\], expected \[128, 960, 1, 1\]/,
      ],
      [
        'NaN weights',
        () => {
          const f = path.join(files, 'nan.pth')
          writeSpecPth(f, architectureSpec('lraspp_mobilenet_v3_large', 21, false), NaN)
          return f
        },
        ErrorCode.BadArguments,
        /nan\.pth: tensor .* holds \d+ NaN or infinite value/,
      ],
      [
        'an ImageNet backbone',
        () => {
          const f = path.join(files, 'mobilenet_backbone.pth')
          writeSpecPth(f, architectureSpec('mobilenet_v3_large', 10, false))
          return f
        },
        ErrorCode.BadArguments,
        /mobilenet_backbone\.pth: mobilenet_v3_large is an ImageNet classification backbone/,
      ],
    ]

    it.each(cases)('%s', async (_what, make, code, message) => {
      const file = make()
      const before = { rows: rowCount(), files: listing() }
      const e = await refusal({ path: file })
      expect(e.code).toBe(code)
      expect(e.message).toMatch(message)
      expect(e.message).toContain(file)
      expect({ rows: rowCount(), files: listing() }).toEqual(before)
    })

    it('a relative path is refused at the door', async () => {
      const before = { rows: rowCount(), files: listing() }
      const e = await refusal({ path: 'models/lraspp.pth' })
      expect(e.code).toBe(ErrorCode.BadArguments)
      expect(e.payload.issues).toEqual([{ path: 'path', message: 'path must be absolute' }])
      expect({ rows: rowCount(), files: listing() }).toEqual(before)
    })
  })

  it('keeps neither the copy nor a row when the copy does not hash to what was checked', async () => {
    // As if the original changed between the check and the copy: the store verifies the copy it made.
    const changed = path.join(files, 'changed.pth')
    writeSpecPth(changed, architectureSpec('lraspp_mobilenet_v3_large', 21, false), 0.03)
    const before = { rows: rowCount(), files: listing() }
    // Read-only: the refusal must come before any write, so this connection never needs one.
    const db = openDb(projectPaths(root).db, { readonly: true })
    try {
      const repo = new SourceModelsRepo(db, projectPaths(root))
      const checked = {
        name: 'changed',
        arch: 'lraspp_mobilenet_v3_large',
        classes: 21,
        parameterCount: 3_221_538,
        hasAux: false,
        sha256: 'ab'.repeat(32),
        bytes: fs.statSync(changed).size,
        tensors: 319,
        wrappedIn: null,
        strippedPrefix: null,
      }
      expect(() => repo.add(changed, checked)).toThrow(InvalidInputError)
      expect(() => repo.add(changed, checked)).toThrow(`${changed} changed while it was being imported`)
    } finally {
      db.close()
    }
    expect({ rows: rowCount(), files: listing() }).toEqual(before)
  })
})
