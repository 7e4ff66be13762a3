/**
 * `pss-studio model inspect`: architecture, classes, parameters and sha256 of a .pth (written by hand in
 * torch.save's format, so this runs without Python), and exit 1 with the file named when it cannot be used.
 * `pss-studio model add` / `model list`: a checked copy stored in a project, listed; refusals exit 1.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { architectureSpec } from '../../../src/main/engine/models/torch/architecture-specs'
import { writeSpecPth } from '../engine/torch/torch-file-writer'
import { cli } from './helpers'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pss-model-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('pss-studio model inspect', () => {
  it('prints the architecture, classes, parameter count and sha256 of an LR-ASPP checkpoint', async () => {
    const file = join(dir, 'lraspp.pth')
    writeSpecPth(file, architectureSpec('lraspp_mobilenet_v3_large', 21, false))
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex')

    const text = await cli('model', 'inspect', '--pth', file)
    expect(text.code).toBe(0)
    expect(text.out).toContain('Architecture  lraspp_mobilenet_v3_large')
    expect(text.out).toContain('Parameters    3,221,538 (319 tensors)')
    expect(text.out).toContain(`sha256        ${sha}`)
    expect(text.out).toContain('Usable        yes')

    const json = await cli('model', 'inspect', '--pth', file, '--json')
    expect(json.code).toBe(0)
    expect(JSON.parse(json.out)).toMatchObject({
      file,
      arch: 'lraspp_mobilenet_v3_large',
      classes: 21,
      parameterCount: 3_221_538,
      hasAux: false,
      sha256: sha,
      importable: true,
      problem: null,
    })
  })

  it('exits 1 naming the file for a wrong class count, an unreadable file and a missing subcommand', async () => {
    const ten = join(dir, 'ten.pth')
    writeSpecPth(ten, architectureSpec('lraspp_mobilenet_v3_large', 10, false))
    const r = await cli('model', 'inspect', '--pth', ten)
    expect(r.code).toBe(1)
    expect(r.out).toContain('Usable        no')
    expect(r.err).toContain(`${ten}: lraspp_mobilenet_v3_large with 10 classes`)

    const missing = join(dir, 'nope.pth')
    const m = await cli('model', 'inspect', '--pth', missing, '--json')
    expect(m.code).toBe(1)
    expect(JSON.parse(m.out)).toMatchObject({
      file: missing,
      error: expect.stringContaining(`${missing}: cannot be read`),
    })

    expect((await cli('model')).code).toBe(2)
    expect((await cli('model', 'inspect')).err).toContain('missing required option --pth')
  })
})

describe('pss-studio model add / list', () => {
  it('adds an LR-ASPP checkpoint to a project, lists it, and refuses a duplicate and a bad file (exit 1)', async () => {
    const project = join(dir, 'project')
    expect((await cli('create', '--project', project)).code).toBe(0)
    const file = join(dir, 'lraspp_mobilenet_v3_large-d234d4e8.pth')
    writeSpecPth(file, architectureSpec('lraspp_mobilenet_v3_large', 21, false))
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex')
    const stored = `models/${sha.slice(0, 12)}-lraspp_mobilenet_v3_large-d234d4e8.pth`

    const empty = await cli('model', 'list', '--project', project)
    expect(empty).toMatchObject({ code: 0, out: 'Source models (0)' })

    const added = await cli('model', 'add', '--project', project, '--pth', file)
    expect(added.code).toBe(0)
    expect(added.out).toContain('Added source model #1 "lraspp_mobilenet_v3_large-d234d4e8"')
    expect(added.out).toContain('Architecture  lraspp_mobilenet_v3_large')
    expect(added.out).toContain('Parameters    3,221,538 (319 tensors)')
    expect(added.out).toContain(`sha256        ${sha}`)
    expect(added.out).toContain(`Stored as     ${stored}`)
    expect(
      createHash('sha256')
        .update(readFileSync(join(project, stored)))
        .digest('hex'),
    ).toBe(sha)

    const listed = await cli('model', 'list', '--project', project)
    expect(listed.code).toBe(0)
    expect(listed.out).toBe(
      'Source models (1)\n' +
        `  #1 "lraspp_mobilenet_v3_large-d234d4e8" · lraspp_mobilenet_v3_large · 21 classes · 3,221,538 parameters · ` +
        `aux no · sha256 ${sha.slice(0, 12)}… · ${stored}`,
    )
    const json = await cli('model', 'list', '--project', project, '--json')
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({
        id: 1,
        arch: 'lraspp_mobilenet_v3_large',
        classes: 21,
        parameterCount: 3_221_538,
        hasAux: false,
        sha256: sha,
        file: stored,
      }),
    ])

    const dup = await cli('model', 'add', '--project', project, '--pth', file, '--json')
    expect(dup.code).toBe(1)
    expect(JSON.parse(dup.out)).toEqual({
      file,
      code: 'CONFLICT',
      error: expect.stringContaining(`${file} is already imported as source model #1`),
    })

    const ten = join(dir, 'ten-classes.pth')
    writeSpecPth(ten, architectureSpec('lraspp_mobilenet_v3_large', 10, false))
    const bad = await cli('model', 'add', '--project', project, '--pth', ten, '--name', 'Ten')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain(`pss-studio model: ${ten}: lraspp_mobilenet_v3_large with 10 classes`)
    expect(readdirSync(join(project, 'models'))).toEqual([stored.slice('models/'.length)])
    expect(JSON.parse((await cli('model', 'list', '--project', project, '--json')).out)).toHaveLength(1)

    const named = join(dir, 'second.pth')
    writeSpecPth(named, architectureSpec('lraspp_mobilenet_v3_large', 21, false), 0.5)
    const second = await cli(
      'model',
      'add',
      '--project',
      project,
      '--pth',
      named,
      '--name',
      'Album start',
      '--json',
    )
    expect(second.code).toBe(0)
    expect(JSON.parse(second.out)).toMatchObject({ id: 2, name: 'Album start', originalPath: named })

    expect((await cli('model', 'add', '--project', project)).err).toContain('missing required option --pth')
    expect((await cli('model', 'list')).err).toContain('missing required option --project')
  })
})
