import { describe, expect, it } from 'vitest'
import {
  baseName,
  numberedLines,
  parseIdList,
  parsePairList,
  parseTagList,
  stemOf,
} from '../../../src/main/datasets/list-files'

describe('list parsing', () => {
  it('numbers lines from 1, skipping blanks and comments, tolerating CRLF and a BOM', () => {
    expect(numberedLines('\uFEFFa\r\n\r\n  b  \n# note\nc')).toEqual([
      { line: 1, text: 'a' },
      { line: 3, text: 'b' },
      { line: 5, text: 'c' },
    ])
  })

  it('takes base names and stems without eating dots that are not image extensions', () => {
    expect(baseName('/JPEGImages/-abc.jpg')).toBe('-abc.jpg')
    expect(baseName('a\\b\\c.png')).toBe('c.png')
    expect(stemOf('-abc.jpg')).toBe('-abc')
    expect(stemOf('-abc')).toBe('-abc')
    expect(stemOf('x.JPEG')).toBe('x')
    expect(stemOf('v1.2')).toBe('v1.2')
  })

  it('parses val_all / train_cluster pair lists with groups and reports malformed lines', () => {
    const text = [
      '/JPEGImages/-abc.jpg /SegmentationClass/-abc.png 0',
      '/JPEGImages/b.jpg /SegmentationClass/b.png 17',
      '/JPEGImages/c.jpg',
      'one two three 4',
      '/JPEGImages/d.jpg /SegmentationClass/d.png -2',
    ].join('\n')
    const loose = parsePairList(text, { groupRequired: false })
    expect(loose.entries).toEqual([
      { line: 1, image: '/JPEGImages/-abc.jpg', mask: '/SegmentationClass/-abc.png', group: 0 },
      { line: 2, image: '/JPEGImages/b.jpg', mask: '/SegmentationClass/b.png', group: 17 },
      { line: 3, image: '/JPEGImages/c.jpg', mask: null, group: null },
    ])
    expect(loose.issues).toEqual([
      { line: 4, reason: 'expected "image mask group", got 4 fields: "one two three 4"' },
      { line: 5, reason: 'group must be 0 or more, got -2' },
    ])
    const strict = parsePairList(text, { groupRequired: true })
    expect(strict.entries.map((e) => e.line)).toEqual([1, 2])
    expect(strict.issues[0]).toEqual({ line: 3, reason: 'missing group number: "/JPEGImages/c.jpg"' })
  })

  it('parses imgLabelList tags by name or id, UNKNOWN as no tags, unknown classes as issues', () => {
    const { entries, issues } = parseTagList(
      'a.jpg:dog,person\n-b.jpg:15, 8 ,dog\nc.jpg:UNKNOWN\nd.jpg:cat,unicorn\nnonsense\n',
    )
    expect(entries).toEqual([
      { line: 1, image: 'a.jpg', tags: [12, 15] },
      { line: 2, image: '-b.jpg', tags: [15, 8, 12] },
      { line: 3, image: 'c.jpg', tags: [] },
      { line: 4, image: 'd.jpg', tags: [8] },
    ])
    expect(issues).toEqual([
      { line: 4, reason: 'unknown class "unicorn" for d.jpg' },
      { line: 5, reason: 'expected "name.jpg:class,class" or "name.jpg:UNKNOWN", got "nonsense"' },
    ])
  })

  it('parses VOC id lists, plain ids or DeepLab path pairs', () => {
    expect(
      parseIdList(
        '2007_000032\n\n2007_000039\n/JPEGImages/2008_000002.jpg /SegmentationClassAug/2008_000002.png\n',
      ),
    ).toEqual([
      { line: 1, id: '2007_000032' },
      { line: 3, id: '2007_000039' },
      { line: 4, id: '2008_000002' },
    ])
  })
})
