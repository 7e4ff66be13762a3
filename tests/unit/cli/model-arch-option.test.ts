/**
 * `pss-studio model inspect|add --arch auto|ARCH`: auto (the default) takes the architecture detected from
 * the state dict; a named architecture must be the detected one, otherwise exit 1 naming both and the
 * project unchanged; an unknown name is a usage error (exit 2). Files are written in torch.save's format by
 * hand (no Python), with every tensor of the architecture's layout.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { architectureSpec } from '../../../src/main/engine/models/torch/architecture-specs'
import { writeSpecPth } from '../engine/torch/torch-file-writer'
import { cli } from './helpers'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pss-model-arch-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('pss-studio model --arch', () => {
  it('inspect: auto and the matching name detect DeepLabV3 ResNet-50 with its aux head; another name exits 1', async () => {
    const file = join(dir, 'deeplabv3_resnet50.pth')
    writeSpecPth(file, architectureSpec('deeplabv3_resnet50', 21, true))
    for (const arch of ['auto', 'deeplabv3_resnet50']) {
      const r = await cli('model', 'inspect', '--pth', file, '--arch', arch, '--json')
      expect(r.code, r.err).toBe(0)
      expect(JSON.parse(r.out)).toMatchObject({
        arch: 'deeplabv3_resnet50',
        classes: 21,
        hasAux: true,
        parameterCount: 42_004_074,
        importable: true,
      })
    }
    const wrong = await cli('model', 'inspect', '--pth', file, '--arch', 'deeplabv3_resnet101')
    expect(wrong.code).toBe(1)
    expect(wrong.err).toContain(
      `${file}: --arch deeplabv3_resnet101 was given, but the checkpoint is deeplabv3_resnet50`,
    )
    const unknown = await cli('model', 'inspect', '--pth', file, '--arch', 'resnet18')
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('--arch must be auto or one of lraspp_mobilenet_v3_large, ')
  })

  it('add: a mismatching --arch refuses before the project changes; the matching one adds', async () => {
    const project = join(dir, 'project')
    expect((await cli('create', '--project', project)).code).toBe(0)
    const file = join(dir, 'lraspp.pth')
    writeSpecPth(file, architectureSpec('lraspp_mobilenet_v3_large', 21, false))

    const wrong = await cli(
      'model',
      'add',
      '--project',
      project,
      '--pth',
      file,
      '--arch',
      'deeplabv3_resnet50',
      '--json',
    )
    expect(wrong.code).toBe(1)
    expect(JSON.parse(wrong.out)).toEqual({
      file,
      code: 'BAD_ARGUMENTS',
      error: `${file}: --arch deeplabv3_resnet50 was given, but the checkpoint is lraspp_mobilenet_v3_large (detected from its keys and shapes)`,
    })
    expect(JSON.parse((await cli('model', 'list', '--project', project, '--json')).out)).toEqual([])

    const ok = await cli(
      'model',
      'add',
      '--project',
      project,
      '--pth',
      file,
      '--arch',
      'lraspp_mobilenet_v3_large',
      '--json',
    )
    expect(ok.code, ok.err).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ id: 1, arch: 'lraspp_mobilenet_v3_large' })
  })
})
