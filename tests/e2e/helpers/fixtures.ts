/**
 * Input folders for the browser e2e test, made of real files: a photo folder with two bad files, and a
 * small PIS dataset (one user) with VOC palette masks, a validation list and image tags.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import { VOC_CLASSES } from '../../../src/shared/voc'
import { makeScene } from './scenes'

export interface PhotoFolder {
  dir: string
  /** Names of the photos that must import. */
  good: string[]
  /** Names of the files that must be refused. */
  bad: string[]
}

/**
 * `count` real JPEG photos plus `broken.jpg` (the first half of a real JPEG's bytes) and `photo.jpg`
 * (a text file wearing a JPEG name).
 */
export async function makePhotoFolder(dir: string, count: number): Promise<PhotoFolder> {
  mkdirSync(dir, { recursive: true })
  const good: string[] = []
  for (let i = 0; i < count; i++) {
    const name = `IMG_${String(1000 + i)}.jpg`
    const scene = await makeScene(500 + i, 480, 360, i % 3 !== 0)
    writeFileSync(join(dir, name), scene.jpeg)
    good.push(name)
  }
  const whole = (await makeScene(9999, 480, 360)).jpeg
  writeFileSync(join(dir, 'broken.jpg'), whole.subarray(0, Math.floor(whole.length / 2)))
  writeFileSync(join(dir, 'photo.jpg'), 'This is a shopping list, not a photo.\nmilk\nbread\n')
  return { dir, good, bad: ['broken.jpg', 'photo.jpg'] }
}

export interface PisFixture {
  root: string
  userId: string
  images: string[]
  masked: string[]
  validation: string[]
  /** VOC classes drawn in each photo. */
  classes: Map<string, number[]>
}

/** `<root>/personal/id1/{JPEGImages,SegmentationClass,val_all.txt,imgLabelList.txt}`. */
export async function makePisDataset(root: string, count: number): Promise<PisFixture> {
  const userId = 'id1'
  const user = join(root, 'personal', userId)
  mkdirSync(join(user, 'JPEGImages'), { recursive: true })
  mkdirSync(join(user, 'SegmentationClass'), { recursive: true })
  const images: string[] = []
  const masked: string[] = []
  const validation: string[] = []
  const tagLines: string[] = []
  const classes = new Map<string, number[]>()
  for (let i = 0; i < count; i++) {
    const stem = `2021_${String(i + 1).padStart(4, '0')}`
    const scene = await makeScene(i + 1, 640, 480)
    writeFileSync(join(user, 'JPEGImages', `${stem}.jpg`), scene.jpeg)
    images.push(`${stem}.jpg`)
    classes.set(`${stem}.jpg`, scene.classes)
    tagLines.push(
      `${stem}.jpg:${scene.classes.length ? scene.classes.map((c) => VOC_CLASSES[c]).join(',') : 'UNKNOWN'}`,
    )
    // Two of every three photos are labelled; a third of the labelled ones form the validation split.
    if (i % 3 !== 2) {
      writeFileSync(
        join(user, 'SegmentationClass', `${stem}.png`),
        encodeLabelPng({ width: scene.width, height: scene.height, labels: scene.labels }),
      )
      masked.push(`${stem}.jpg`)
      if (masked.length % 3 === 1) validation.push(stem)
    }
  }
  writeFileSync(
    join(user, 'val_all.txt'),
    validation.map((s) => `/JPEGImages/${s}.jpg /SegmentationClass/${s}.png 0`).join('\n') + '\n',
  )
  writeFileSync(join(user, 'imgLabelList.txt'), tagLines.join('\n') + '\n')
  return { root, userId, images, masked, validation: validation.map((s) => `${s}.jpg`), classes }
}
