/** Builds the tfjs implementation of a runnable torchvision checkpoint and loads its state dict by name. */
import { DeepLabV3MobileNetV3Large } from '../../models/torchvision/deeplabv3'
import { LrasppMobileNetV3Large } from '../../models/torchvision/lraspp'
import type { SegmentationModel } from '../../models/segnet'
import type { RunnablePth } from './runnable-pth'

export function buildTorchvisionModel(pth: RunnablePth, file: string): SegmentationModel {
  const numClasses = pth.detected.classes
  const model =
    pth.arch === 'lraspp_mobilenet_v3_large'
      ? new LrasppMobileNetV3Large({ numClasses })
      : new DeepLabV3MobileNetV3Large({ numClasses, aux: pth.detected.hasAux, dropout: false })
  try {
    model.loadStateDict(pth.stateDict, file)
  } catch (e) {
    model.dispose()
    throw e
  }
  return model
}
