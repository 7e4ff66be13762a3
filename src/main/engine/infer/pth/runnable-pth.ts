/**
 * Which PyTorch checkpoints `predict --model FILE.pth` can run: a torchvision segmentation model whose
 * architecture exists in tfjs (LR-ASPP and DeepLabV3 on MobileNetV3-Large, DeepLabV3 on ResNet-50/101). Reading and detection are pure
 * TypeScript (no tfjs), so the CLI checks a file on its own thread before it starts the worker or creates
 * the output folder, and the worker checks again before it builds the model.
 */
import { readPth, type PthInfo } from '../../models/torch/read-pth'
import {
  ArchitectureError,
  checkImportable,
  detectArchitecture,
  type DetectedArchitecture,
} from '../../models/torch/detect-architecture'
import type { TorchArch } from '../../models/torch/architecture-specs'
import type { StateDict } from '../../models/torch/state-dict'

/** Architectures with a tfjs implementation (src/main/engine/models/torchvision/). */
export const RUNNABLE_TORCH_ARCHS = [
  'lraspp_mobilenet_v3_large',
  'deeplabv3_mobilenet_v3_large',
  'deeplabv3_resnet50',
  'deeplabv3_resnet101',
] as const
export type RunnableTorchArch = (typeof RUNNABLE_TORCH_ARCHS)[number]

export function isRunnableArch(arch: TorchArch): arch is RunnableTorchArch {
  return (RUNNABLE_TORCH_ARCHS as readonly string[]).includes(arch)
}

/**
 * The detected architecture as a runnable one, or an ArchitectureError naming `file`: a backbone is not a
 * segmentation model, and a recognised architecture without a tfjs implementation says so.
 */
export function runnableArch(detected: DetectedArchitecture, file: string): RunnableTorchArch {
  if (detected.backbone)
    throw new ArchitectureError(
      `${file}: ${detected.arch} is an ImageNet classification backbone (${detected.classes} classes), ` +
        'not a segmentation model; predict needs a segmentation checkpoint',
    )
  if (!isRunnableArch(detected.arch))
    throw new ArchitectureError(
      `${file}: architecture ${detected.arch} is recognised but not yet runnable in the studio ` +
        `(runnable: ${RUNNABLE_TORCH_ARCHS.join(', ')})`,
    )
  return detected.arch
}

export interface RunnablePth {
  stateDict: StateDict
  info: PthInfo
  detected: DetectedArchitecture
  arch: RunnableTorchArch
}

/** Reads, detects and checks a `.pth` for prediction; every failure names the file. */
export async function readRunnablePth(file: string): Promise<RunnablePth> {
  const { stateDict, info } = await readPth(file)
  const detected = detectArchitecture(stateDict, file)
  const arch = runnableArch(detected, file)
  checkImportable(stateDict, detected, file)
  return { stateDict, info, detected, arch }
}
