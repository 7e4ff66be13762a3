/**
 * The layer graph is enforced by `npm run lint` (eslint.config.mjs, `no-restricted-imports` per folder).
 * These cases lint source text as if it were a file in each layer, through the project's own ESLint
 * config, so a rule that stops firing (or starts firing on a legal import) fails here.
 */
import path from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../../..')
let eslint: ESLint

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root })
})

describe('layer rules', () => {
  it.each([
    [
      'src/main/engine/eval/probe.ts',
      "import { Studio } from '../../app/studio'",
      /src\/main\/engine must not import/,
    ],
    [
      'src/main/engine/models/torch/probe.ts',
      "import { JobQueue } from '../../../jobs/job-queue'",
      /engine must not/,
    ],
    [
      'src/main/engine/snapshots/probe.ts',
      "import { splits } from '../../annotation/splits'",
      /engine must not/,
    ],
    [
      'src/main/project/probe.ts',
      "import { scoreAlbum } from '../engine/eval'",
      /src\/main\/project must not/,
    ],
    ['src/main/media/probe.ts', "import { Project } from '../project/project'", /src\/main\/media must not/],
    [
      'src/main/project/probe.ts',
      "import type { NewImage } from '../datasets'",
      /src\/main\/project must not/,
    ],
    ['src/shared/probe.ts', "import { Studio } from '../main/app/studio'", /src\/shared is imported/],
    ['src/shared/probe.ts', "import fs from 'node:fs'", /src\/shared is imported/],
    [
      'src/renderer/src/stores/probe.ts',
      "import { Project } from '../../../main/project/project'",
      /renderer is untrusted/,
    ],
    [
      'src/main/app/probe.ts',
      "import { runTraining } from '../engine/runs/train-loop'",
      /app reaches the engine only through engine\/api/,
    ],
    [
      'src/main/app/probe.ts',
      "import { evaluateLabelDirs } from '../engine/eval'",
      /app reaches the engine only through engine\/api/,
    ],
    [
      'src/main/app/probe.ts',
      "import * as engine from '../engine'",
      /app reaches the engine only through engine\/api/,
    ],
    [
      'src/main/app/probe.ts',
      "import { apiHelpers } from '../engine/api-helpers'",
      /app reaches the engine only through engine\/api/,
    ],
    ['src/main/app/probe.ts', "import { startServer } from '../server'", /src\/main\/app must not import/],
    [
      'src/main/cli/commands/probe.ts',
      "import { startSession } from '../../engine/sessions/start-session'",
      /cli reaches the engine only through engine\/api/,
    ],
    [
      'src/main/cli/commands/probe.ts',
      "import { app } from '../../electron/main'",
      /src\/main\/cli must not import/,
    ],
    [
      'src/main/engine/sessions/probe.ts',
      "import { Project } from '../../project/project'",
      /engine must not/,
    ],
    ['src/shared/probe.ts', "import type { InferItem } from '../main/engine/api'", /src\/shared is imported/],
  ])(
    '%s: %s is refused',
    async (file, line, message) => {
      const errors = await layerErrors(file, `${line}\nexport const probe = 1\n`)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(message)
    },
    60_000,
  )

  it.each([
    ['src/main/engine/eval/probe.ts', "import { decodeLabelPng } from '../../media/label-png'"],
    ['src/main/engine/eval/probe.ts', "import type { RunMetrics } from '../../../shared/runs'"],
    ['src/main/app/probe.ts', "import { Project } from '../project/project'"],
    ['src/main/app/probe.ts', "import { startSession, type InferItem } from '../engine/api'"],
    ['src/main/cli/commands/probe.ts', "import { inspectPth } from '../../engine/api'"],
    ['src/main/cli/commands/probe.ts', "import { startServer } from '../../server'"],
    ['src/main/engine/sessions/probe.ts', "import { parseClusterRequest } from '../cluster/cluster-request'"],
    ['src/main/project/probe.ts', "import { writeFileAtomic } from '../files/atomic-file'"],
    ['src/renderer/src/stores/probe.ts', "import type { Album } from '../../../shared/domain'"],
  ])(
    '%s: %s is allowed',
    async (file, line) => {
      expect(await layerErrors(file, `${line}\nexport const probe = 1\n`)).toEqual([])
    },
    60_000,
  )
})
