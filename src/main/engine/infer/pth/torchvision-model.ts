/** Builds the tfjs implementation of a runnable torchvision checkpoint and loads its state dict by name. */
import { DeepLabV3MobileNetV3Large } from '../../models/torchvision/deeplabv3'
import { DeepLabV3ResNet } from '../../models/torchvision/deeplabv3-resnet'
import { LrasppMobileNetV3Large } from '../../models/torchvision/lraspp'
import type { SegmentationModel } from '../../models/segnet'
import type { TorchvisionModelBase } from '../../models/torchvision/torchvision-model-base'
import type { RunnablePth, RunnableTorchArch } from './runnable-pth'

/** A fresh (randomly initialised) tfjs network of `arch`; dropout as asked (off for prediction). */
export function torchvisionNetwork(
  arch: RunnableTorchArch,
  o: { numClasses: number; aux: boolean; dropout: boolean; seed?: number },
): TorchvisionModelBase & SegmentationModel {
  switch (arch) {
    case 'lraspp_mobilenet_v3_large':
      return new LrasppMobileNetV3Large({ numClasses: o.numClasses, seed: o.seed })
    case 'deeplabv3_mobilenet_v3_large':
      return new DeepLabV3MobileNetV3Large(o)
    case 'deeplabv3_resnet50':
      return new DeepLabV3ResNet({ ...o, depth: 50 })
    case 'deeplabv3_resnet101':
      return new DeepLabV3ResNet({ ...o, depth: 101 })
  }
}

export function buildTorchvisionModel(pth: RunnablePth, file: string): SegmentationModel {
  const model = torchvisionNetwork(pth.arch, {
    numClasses: pth.detected.classes,
    aux: pth.detected.hasAux,
    dropout: false,
  })
  try {
    model.loadStateDict(pth.stateDict, file)
  } catch (e) {
    model.dispose()
    throw e
  }
  return model
}
