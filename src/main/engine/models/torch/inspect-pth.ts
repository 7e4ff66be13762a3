/**
 * What a `.pth` file is, for "Add a source model" and `pss-studio model inspect`: read it (all checks of
 * read-pth.ts), detect the architecture, judge whether the studio can use it, and hash the file. Throws a
 * TorchCheckpointError / ArchitectureError naming the file when it cannot be read or recognised; a readable,
 * recognised checkpoint that cannot be used (wrong class count, NaN weights) is reported, not thrown.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import {
  ArchitectureError,
  checkImportable,
  detectArchitecture,
  type DetectedArchitecture,
} from './detect-architecture'
import { readPth, type PthInfo, type ReadPthOptions } from './read-pth'
import type { StateDict } from './state-dict'

export interface PthInspection extends DetectedArchitecture {
  file: string
  fileBytes: number
  sha256: string
  tensors: number
  wrappedIn: string | null
  strippedPrefix: string | null
  /** Whether the studio can use it (as a source model, or as a backbone for the ImageNet archs). */
  importable: boolean
  /** Why not, naming the file; null when importable. */
  problem: string | null
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function inspectPth(
  file: string,
  opts: ReadPthOptions = {},
): Promise<{ inspection: PthInspection; stateDict: StateDict; info: PthInfo }> {
  const { stateDict, info } = await readPth(file, opts)
  const detected = detectArchitecture(stateDict, file)
  let problem: string | null = null
  try {
    checkImportable(stateDict, detected, file)
  } catch (e) {
    if (!(e instanceof ArchitectureError)) throw e
    problem = e.message
  }
  return {
    inspection: {
      file,
      fileBytes: info.fileBytes,
      sha256: await sha256File(file),
      tensors: stateDict.size,
      ...detected,
      wrappedIn: info.wrappedIn,
      strippedPrefix: info.strippedPrefix,
      importable: problem === null,
      problem,
    },
    stateDict,
    info,
  }
}
