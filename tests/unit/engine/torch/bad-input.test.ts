/**
 * Issue 14 item 9: bad checkpoints are refused with a message naming the file and the problem, and nothing
 * is returned (the reader and the checks are all or nothing). Files are written by hand (zip + pickle
 * opcodes), so these run without Python: a truncated zip, hostile pickles (os.system, a custom class — never
 * executed), non-state-dict pickles, storages that do not fit, a 2 GB file (sparse), an unknown
 * architecture, a wrong class count, mismatched shapes and NaN weights.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { architectureSpec } from '../../../../src/main/engine/models/torch/architecture-specs'
import {
  ArchitectureError,
  checkImportable,
  detectArchitecture,
} from '../../../../src/main/engine/models/torch/detect-architecture'
import { readPth } from '../../../../src/main/engine/models/torch/read-pth'
import { numel, type StateDict } from '../../../../src/main/engine/models/torch/state-dict'
import { float32Bytes, PickleWriter, writeTorchZip, zipStored } from './torch-file-writer'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pss-pth-bad-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A valid one-tensor state dict {'w': 2×3 float32 tensor}. */
function goodPickle(numelDeclared = 6): Buffer {
  return new PickleWriter()
    .proto(2)
    .global('collections', 'OrderedDict')
    .emptyTuple()
    .reduce()
    .mark()
    .str('w')
    .tensor({
      key: '0',
      storage: 'FloatStorage',
      numel: numelDeclared,
      offset: 0,
      size: [2, 3],
      stride: [3, 1],
    })
    .setitems()
    .stop()
}

const SIX = float32Bytes([1, 2, 3, 4, 5, 6])

async function rejection(file: string): Promise<string> {
  const err = await readPth(file).then(
    () => null,
    (e: unknown) => e as Error,
  )
  expect(err, `${file} should be refused`).not.toBeNull()
  expect(err!.message).toContain(file)
  return err!.message
}

describe('readPth refuses bad files by name', () => {
  it('reads the hand-written file (so the failures below are about what each case changes)', async () => {
    const file = join(dir, 'good.pth')
    writeTorchZip(file, goodPickle(), { '0': SIX })
    const { stateDict } = await readPth(file)
    expect(Array.from(stateDict.get('w')!.data)).toEqual([1, 2, 3, 4, 5, 6])
    expect(stateDict.get('w')!.shape).toEqual([2, 3])
  })

  it('reads big-endian storages when the archive says byteorder big, and refuses another byte order', async () => {
    const be = Buffer.alloc(6 * 4)
    ;[1, 2, 3, 4, 5, 6].forEach((v, i) => be.writeFloatBE(v + 0.5, i * 4))
    const file = join(dir, 'big.pth')
    writeFileSync(
      file,
      zipStored({ 'big/data.pkl': goodPickle(), 'big/byteorder': Buffer.from('big'), 'big/data/0': be }),
    )
    const { stateDict, info } = await readPth(file)
    expect(info.byteorder).toBe('big')
    expect(Array.from(stateDict.get('w')!.data)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5])

    const odd = join(dir, 'odd-order.pth')
    writeFileSync(
      odd,
      zipStored({ 'a/data.pkl': goodPickle(), 'a/byteorder': Buffer.from('middle'), 'a/data/0': SIX }),
    )
    expect(await rejection(odd)).toMatch(/declares byte order 'middle'/)
  })

  it('a truncated zip', async () => {
    const file = join(dir, 'truncated.pth')
    writeTorchZip(file, goodPickle(), { '0': SIX })
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    expect(await rejection(file)).toMatch(/zip archive is damaged or truncated/)
  })

  it('a file that is not a zip at all', async () => {
    const file = join(dir, 'text.pth')
    writeFileSync(file, 'hello, this is not a checkpoint\n')
    expect(await rejection(file)).toMatch(/not a PyTorch checkpoint/)
    const bare = join(dir, 'bare.pkl')
    writeFileSync(bare, goodPickle())
    expect(await rejection(bare)).toMatch(
      /is a bare Python pickle, not a torch\.save checkpoint; if torch\.save wrote it, re-save/,
    )
  })

  it('a pickle that calls os.system: refused by name, never executed', async () => {
    const marker = join(dir, 'pwned')
    // Protocol 0, as a hand-crafted exploit would be: os.system('touch <marker>').
    const evil = Buffer.from(`cos\nsystem\n(S'touch ${marker}'\ntR.`, 'latin1')
    const file = join(dir, 'evil.pth')
    writeTorchZip(file, evil)
    expect(await rejection(file)).toMatch(
      /refers to os\.system, which is not part of a PyTorch state dict.*nothing was executed/,
    )
    expect(existsSync(marker)).toBe(false)

    const posix = new PickleWriter()
      .proto(2)
      .global('posix', 'system')
      .str(`touch ${marker}`)
      .raw(0x85)
      .reduce()
      .stop()
    const file2 = join(dir, 'evil2.pth')
    writeTorchZip(file2, posix)
    expect(await rejection(file2)).toMatch(/posix\.system/)
    expect(existsSync(marker)).toBe(false)
  })

  it('a custom class (a whole pickled model) and object-building opcodes', async () => {
    const file = join(dir, 'model.pth')
    writeTorchZip(file, new PickleWriter().proto(2).global('__main__', 'Net').emptyTuple().raw(0x81).stop())
    expect(await rejection(file)).toMatch(/__main__\.Net/)
    const file2 = join(dir, 'newobj.pth')
    writeTorchZip(file2, new PickleWriter().proto(2).emptyDict().emptyTuple().raw(0x81).stop())
    expect(await rejection(file2)).toMatch(/NEWOBJ/)
  })

  it('pickles that are not state dicts', async () => {
    const list = join(dir, 'list.pth')
    writeTorchZip(list, new PickleWriter().proto(2).emptyList().mark().int(1).int(2).appends().stop())
    expect(await rejection(list)).toMatch(/holds a list, not a state dict/)
    const strings = join(dir, 'strings.pth')
    writeTorchZip(strings, new PickleWriter().proto(2).emptyDict().mark().str('a').str('b').setitems().stop())
    expect(await rejection(strings)).toMatch(
      /keys a but no state dict \(looked at the top level and under 'state_dict'/,
    )
    const mixed = join(dir, 'mixed.pth')
    const p = new PickleWriter().proto(2).emptyDict().mark().str('w')
    p.tensor({ key: '0', storage: 'FloatStorage', numel: 6, offset: 0, size: [6], stride: [1] })
    writeTorchZip(mixed, p.str('note').str('hi').setitems().stop(), { '0': SIX })
    expect(await rejection(mixed)).toMatch(/its entry 'note' holds a str, not a tensor/)
  })

  it('a zip without data.pkl, a missing storage, a storage shorter than declared, a view past its storage', async () => {
    const noPkl = join(dir, 'nopkl.pth')
    writeTorchZip(noPkl, goodPickle(), { '0': SIX })
    writeFileSync(
      noPkl,
      readFileSync(noPkl)
        .toString('latin1')
        .replace(/data\.pkl/g, 'data.txt'),
      'latin1',
    )
    expect(await rejection(noPkl)).toMatch(/holds no <archive>\/data\.pkl/)

    const missing = join(dir, 'missing.pth')
    writeTorchZip(missing, goodPickle())
    expect(await rejection(missing)).toMatch(/storage 0 is missing from the archive/)

    const short = join(dir, 'short.pth')
    writeTorchZip(short, goodPickle(), { '0': float32Bytes([1, 2, 3]) })
    expect(await rejection(short)).toMatch(/storage 0 holds 12 bytes but its 6 float32 elements need 24/)

    const past = join(dir, 'past.pth')
    writeTorchZip(past, goodPickle(4), { '0': float32Bytes([1, 2, 3, 4]) })
    expect(await rejection(past)).toMatch(/tensor w reads element 5 of a storage of 4 elements/)
  })

  it('a 2 GB file, before reading it (sparse file)', async () => {
    const file = join(dir, 'huge.pth')
    writeTorchZip(file, goodPickle(), { '0': SIX })
    truncateSync(file, 2 * 1024 ** 3)
    expect(await rejection(file)).toMatch(
      /is 2\.15 GB; the limit for a checkpoint is 1\.07 GB, so it was not read/,
    )
  })

  it('storages that declare more than the limit, before reading any', async () => {
    const file = join(dir, 'declares-huge.pth')
    const p = new PickleWriter().proto(2).emptyDict().mark().str('w')
    p.tensor({
      key: '0',
      storage: 'FloatStorage',
      numel: 400_000_000,
      offset: 0,
      size: [20000, 20000],
      stride: [20000, 1],
    })
    writeTorchZip(file, p.setitems().stop(), { '0': SIX })
    expect(await rejection(file)).toMatch(
      /its tensors declare 1\.60 GB of storage; the limit is 1\.07 GB, so none was read/,
    )
  })
})

/** A state dict with the layout of `arch` filled with small finite values. */
function fromSpec(spec: Map<string, number[]>): StateDict {
  const sd: StateDict = new Map()
  for (const [k, shape] of spec)
    sd.set(k, {
      dtype: k.endsWith('num_batches_tracked') ? 'int64' : 'float32',
      shape,
      data: k.endsWith('num_batches_tracked')
        ? new Float64Array(1)
        : new Float32Array(numel(shape)).fill(0.01),
    })
  return sd
}

describe('architecture checks refuse bad state dicts by name', () => {
  it('accepts the layout it describes', () => {
    const sd = fromSpec(architectureSpec('lraspp_mobilenet_v3_large', 21, false))
    const d = detectArchitecture(sd, 'ok.pth')
    expect(d).toMatchObject({ arch: 'lraspp_mobilenet_v3_large', classes: 21 })
    expect(() => checkImportable(sd, d, 'ok.pth')).not.toThrow()
  })

  it('an unknown architecture: says what it looked for and what it found', () => {
    const sd: StateDict = new Map([
      ['encoder.conv.weight', { dtype: 'float32', shape: [8, 3, 3, 3], data: new Float32Array(216) }],
      ['decoder.out.bias', { dtype: 'float32', shape: [21], data: new Float32Array(21) }],
    ])
    expect(() => detectArchitecture(sd, 'unet.pth')).toThrow(ArchitectureError)
    expect(() => detectArchitecture(sd, 'unet.pth')).toThrow(
      /^unet\.pth: unknown architecture: looked for lraspp_mobilenet_v3_large \(classifier\.cbr\.0\.weight \+ .*found keys like encoder\.conv\.weight, decoder\.out\.bias \(2 tensors\)/,
    )
  })

  it('a class count other than VOC’s 21', () => {
    const sd = fromSpec(architectureSpec('deeplabv3_mobilenet_v3_large', 10, true))
    const d = detectArchitecture(sd, 'ten.pth')
    expect(d).toMatchObject({ classes: 10, hasAux: true })
    expect(() => checkImportable(sd, d, 'ten.pth')).toThrow(
      /^ten\.pth: deeplabv3_mobilenet_v3_large with 10 classes; the studio's models predict the 21 PASCAL VOC classes/,
    )
  })

  it('mismatched shapes, missing and unexpected keys, named with both shapes', () => {
    const sd = fromSpec(architectureSpec('deeplabv3_resnet50', 21, false))
    sd.set('backbone.layer2.0.conv2.weight', {
      dtype: 'float32',
      shape: [128, 64, 3, 3],
      data: new Float32Array(128 * 64 * 9),
    })
    sd.delete('classifier.4.bias')
    sd.set('classifier.5.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) })
    expect(() => detectArchitecture(sd, 'odd.pth')).toThrow(
      /^odd\.pth: its keys look like deeplabv3_resnet50 with 21 classes, but it does not match that architecture: 1 tensor\(s\) have other shapes \(backbone\.layer2\.0\.conv2\.weight is \[128, 64, 3, 3\], expected \[128, 128, 3, 3\]\); 1 missing \(classifier\.4\.bias\); 1 unexpected \(classifier\.5\.weight\)/,
    )
  })

  it('NaN weights', () => {
    const sd = fromSpec(architectureSpec('lraspp_mobilenet_v3_large', 21, false))
    sd.get('backbone.5.block.2.fc1.weight')!.data[7] = NaN
    const d = detectArchitecture(sd, 'nan.pth')
    expect(() => checkImportable(sd, d, 'nan.pth')).toThrow(
      /^nan\.pth: tensor backbone\.5\.block\.2\.fc1\.weight holds 1 NaN or infinite value\(s\) \(first at flat index 7\)/,
    )
  })
})
