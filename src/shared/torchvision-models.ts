/**
 * torchvision 0.14's published VOC-class segmentation checkpoints ("Get torchvision model"): the file names
 * and parameter counts are those of torchvision/models/segmentation/{lraspp,deeplabv3,fcn}.py (weights
 * `COCO_WITH_VOC_LABELS_V1`: 21 classes in VOC order). Each name ends in the first 8 hex digits of the file's
 * sha256, which the download checks before the file is added. Only the architectures the studio detects are
 * listed (fcn_resnet101 is not one). Shared so the renderer can show the list without a round trip.
 */

export interface TorchvisionCheckpoint {
  /** The published file name, `<arch>_coco-<sha256 prefix>.pth` or `<arch>-<sha256 prefix>.pth`. */
  file: string
  arch: string
  /** Human name of the architecture. */
  title: string
  /** Learnable parameters, as torchvision's metadata states them (aux head included where published). */
  parameters: number
  /** Whether the studio can run it (predict and adapt); the others can be imported and inspected only. */
  runnable: boolean
}

export const TORCHVISION_CHECKPOINTS = [
  {
    file: 'lraspp_mobilenet_v3_large-d234d4ea.pth',
    arch: 'lraspp_mobilenet_v3_large',
    title: 'LR-ASPP MobileNetV3-Large',
    parameters: 3_221_538,
    runnable: true,
  },
  {
    file: 'deeplabv3_mobilenet_v3_large-fc3c493d.pth',
    arch: 'deeplabv3_mobilenet_v3_large',
    title: 'DeepLabV3 MobileNetV3-Large',
    parameters: 11_029_328,
    runnable: true,
  },
  {
    file: 'deeplabv3_resnet50_coco-cd0a2569.pth',
    arch: 'deeplabv3_resnet50',
    title: 'DeepLabV3 ResNet-50',
    parameters: 42_004_074,
    runnable: true,
  },
  {
    file: 'deeplabv3_resnet101_coco-586e9e4e.pth',
    arch: 'deeplabv3_resnet101',
    title: 'DeepLabV3 ResNet-101',
    parameters: 60_996_202,
    runnable: true,
  },
  {
    file: 'fcn_resnet50_coco-1167a1af.pth',
    arch: 'fcn_resnet50',
    title: 'FCN ResNet-50',
    parameters: 35_322_218,
    runnable: false,
  },
] as const satisfies readonly TorchvisionCheckpoint[]

export type TorchvisionFile = (typeof TORCHVISION_CHECKPOINTS)[number]['file']

export const TORCHVISION_FILES = TORCHVISION_CHECKPOINTS.map((c) => c.file) as [
  TorchvisionFile,
  ...TorchvisionFile[],
]

/** The sha256 prefix a published file name carries ("…-d234d4ea.pth" → "d234d4ea"), or null when it has none. */
export function shaPrefixOfName(file: string): string | null {
  const m = /-([0-9a-f]{8,64})\.pth$/.exec(file)
  return m ? m[1]! : null
}
