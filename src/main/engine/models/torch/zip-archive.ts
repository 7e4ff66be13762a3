/**
 * Random access to the entries of a zip file (yauzl): the central directory is read once; an entry's bytes
 * are read on demand, straight from the file for stored entries (torch.save never compresses), so a large
 * checkpoint is never held in memory twice. Errors carry yauzl's reason; the caller adds the file name.
 */
import yauzl from 'yauzl'

export interface ZipEntryInfo {
  name: string
  /** Uncompressed size in bytes, as the central directory declares it. */
  size: number
  entry: yauzl.Entry
}

export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    readonly entries: ReadonlyMap<string, ZipEntryInfo>,
  ) {}

  static async open(file: string): Promise<ZipArchive> {
    const zip = await yauzl.openPromise(file, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
    })
    const entries = new Map<string, ZipEntryInfo>()
    try {
      for await (const entry of zip.eachEntry()) {
        entries.set(entry.fileName, { name: entry.fileName, size: entry.uncompressedSize, entry })
      }
    } catch (e) {
      zip.close()
      throw e
    }
    return new ZipArchive(zip, entries)
  }

  /** Reads a whole entry into one buffer of its declared size. */
  async read(name: string): Promise<Uint8Array> {
    const info = this.entries.get(name)
    if (!info) throw new Error(`no entry ${name}`)
    const stream = await this.zip.openReadStreamPromise(info.entry)
    const out = new Uint8Array(info.size)
    let at = 0
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // validateEntrySizes makes yauzl fail on a longer entry; this guards the copy anyway.
      if (at + chunk.length > out.length)
        throw new Error(`entry ${name} is longer than its declared ${info.size} bytes`)
      out.set(chunk, at)
      at += chunk.length
    }
    if (at !== out.length)
      throw new Error(`entry ${name} ended after ${at} of its declared ${info.size} bytes`)
    return out
  }

  close(): void {
    this.zip.close()
  }
}
