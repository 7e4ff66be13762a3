/**
 * A pth-source folder (the studio's "source run" of an imported model) records its `.pth` relative to the
 * JSON files that name it, so a project folder moved elsewhere still finds its own copy of the model:
 * readPthSourceRun and torchWeightsOf give the absolute path where the project is now. Folders written
 * before (absolute paths) still read as they were. Pure JSON: no tensor is read.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  readPthSourceRun,
  relativeModelPath,
  torchWeightsOf,
  TORCH_WEIGHTS_FILE,
  writePthSourceRun,
} from '../../../src/main/engine/methods/source-model'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-pth-source-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const SHA = 'ab'.repeat(32)

/** A project-like tree: models/<file>.pth and runs/7/ (the pth-source folder). */
function makeProject(root: string): { model: string; runDir: string } {
  const model = path.join(root, 'models', 'abcdef123456-lraspp.pth')
  fs.mkdirSync(path.dirname(model), { recursive: true })
  fs.writeFileSync(model, 'weights')
  const runDir = path.join(root, 'runs', '7')
  writePthSourceRun(runDir, {
    source: { kind: 'pth', file: model, arch: 'lraspp_mobilenet_v3_large', sha256: SHA, aux: false },
    name: 'lraspp',
    size: 64,
    numClasses: 21,
  })
  return { model, runDir }
}

describe('pth-source folder paths', () => {
  it('stores the .pth relative to each JSON file and reads it back absolute', () => {
    const { model, runDir } = makeProject(path.join(tmp, 'a'))
    const raw = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as {
      source: { file: string }
    }
    expect(raw.source.file).toBe('../../models/abcdef123456-lraspp.pth')
    const ckpt = path.join(runDir, 'checkpoints', '000001')
    const rawWeights = JSON.parse(fs.readFileSync(path.join(ckpt, TORCH_WEIGHTS_FILE), 'utf8')) as {
      file: string
    }
    expect(rawWeights.file).toBe('../../../../models/abcdef123456-lraspp.pth')
    expect(readPthSourceRun(runDir)!.source.file).toBe(model)
    expect(torchWeightsOf(ckpt)!.file).toBe(model)
  })

  it('follows the project when its folder is moved', () => {
    const before = path.join(tmp, 'before')
    const { runDir } = makeProject(before)
    const after = path.join(tmp, 'moved', 'elsewhere')
    fs.mkdirSync(path.dirname(after), { recursive: true })
    fs.renameSync(before, after)
    const movedRun = path.join(after, path.relative(before, runDir))
    const source = readPthSourceRun(movedRun)!.source
    expect(source.file).toBe(path.join(after, 'models', 'abcdef123456-lraspp.pth'))
    expect(fs.readFileSync(source.file, 'utf8')).toBe('weights')
    expect(torchWeightsOf(path.join(movedRun, 'checkpoints', '000001'))!.file).toBe(source.file)
  })

  it('reads a folder written with an absolute path as it was', () => {
    const { model, runDir } = makeProject(path.join(tmp, 'old'))
    const runJson = path.join(runDir, 'run.json')
    const raw = JSON.parse(fs.readFileSync(runJson, 'utf8')) as { source: { file: string } }
    raw.source.file = model
    fs.writeFileSync(runJson, JSON.stringify(raw))
    expect(readPthSourceRun(runDir)!.source.file).toBe(model)
  })

  it('keeps a path with no relative form (another drive) absolute', () => {
    expect(relativeModelPath('/p/runs/7', '/p/models/m.pth')).toBe('../../models/m.pth')
    if (process.platform === 'win32') expect(relativeModelPath('C:\\p\\runs', 'D:\\m.pth')).toBe('D:\\m.pth')
  })
})
