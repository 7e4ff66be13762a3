import { resolve } from 'node:path'
import type { ExportSummary } from '../../../shared/annotation'
import {
  EXIT_OK,
  parseCommandArgs,
  printJson,
  requireString,
  UsageError,
  type CliIo,
  type Command,
} from '../args'
import { withStudio } from '../studio-session'

export const exportCommand: Command = {
  name: 'export',
  summary: "write an album's masks in VOC or PIS layout",
  usage: `Usage: pss-studio export --project DIR --album NAME --format voc|pis --out DIR [--link] [--json]

Writes the newest mask of every image of the album, its photos and the validation list:
  voc  OUT/JPEGImages, OUT/SegmentationClass, OUT/ImageSets/Segmentation/{val,train,trainval}.txt
  pis  OUT/personal/<user>/{JPEGImages, SegmentationClass, val_all.txt, imgLabelList.txt, train_cluster<K>.txt}
OUT must be absent or empty; it appears complete or not at all.

Options:
  --project DIR   the project
  --album NAME    album name (or #id)
  --format F      voc or pis
  --out DIR       where to write (absent or empty folder)
  --link          hard-link photos instead of copying them where possible
  --json          print the summary as JSON`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      project: { type: 'string' },
      album: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      link: { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const project = resolve(requireString(opts.project, 'project'))
    const albumName = requireString(opts.album, 'album')
    const format = requireString(opts.format, 'format')
    if (format !== 'voc' && format !== 'pis')
      throw new UsageError(`--format must be voc or pis, got "${format}"`)
    const out = resolve(requireString(opts.out, 'out'))
    const summary = await withStudio('cli', async (studio): Promise<ExportSummary> => {
      await studio.openProjectPath(project)
      const albums = await studio.api.listAlbums({})
      const byId = /^#(\d+)$/.exec(albumName)
      const album = albums.find((a) => (byId ? a.id === Number(byId[1]) : a.name === albumName))
      if (!album) {
        const names = albums.map((a) => `"${a.name}"`).join(', ') || 'none'
        throw new UsageError(`no album "${albumName}" in ${project} (albums: ${names})`)
      }
      return studio.api.exportMasks({ albumId: album.id, format, out, link: opts.link === true })
    })
    if (opts.json) printJson(io, summary)
    else {
      io.out(`Exported album "${summary.albumName}" as ${summary.format.toUpperCase()} to ${summary.out}`)
      io.out(
        `  ${summary.images} images, ${summary.masks} masks, ${summary.validation} in the validation list`,
      )
      if (summary.missingMasks.length > 0) {
        io.err(
          `warning: ${summary.missingMasks.length} validation images have no mask: ${summary.missingMasks.slice(0, 5).join(', ')}${summary.missingMasks.length > 5 ? ', …' : ''}`,
        )
      }
    }
    return EXIT_OK
  },
}
