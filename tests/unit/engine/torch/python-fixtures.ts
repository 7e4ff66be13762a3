/**
 * Runs make_pth_fixtures.py with Debian's /usr/bin/python3 (python3-torch, python3-torchvision) into a temp
 * folder once per test file, or says why it cannot (so the test is skipped with that reason).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PYTHON = '/usr/bin/python3'
const SCRIPT = join(__dirname, 'make_pth_fixtures.py')

/** null when torch and torchvision import, else the reason. */
export function torchUnavailable(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'pipe' })
    return null
  } catch (e) {
    return `${PYTHON} cannot import torch/torchvision (apt: python3-torch python3-torchvision): ${(e as Error).message.split('\n')[0]}`
  }
}

export interface TorchFixtures {
  dir: string
  path(name: string): string
  dispose(): void
}

export function makeTorchFixtures(mode: 'values' | 'archs'): TorchFixtures {
  const dir = mkdtempSync(join(tmpdir(), `pss-pth-${mode}-`))
  execFileSync(PYTHON, [SCRIPT, mode, dir], { stdio: 'pipe', timeout: 240_000 })
  return {
    dir,
    path: (name) => join(dir, `${name}.pth`),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}
