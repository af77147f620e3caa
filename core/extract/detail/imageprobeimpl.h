#pragma once
// What imageprobe.h promises, done here: probing an image whole, the way
// every format and failure takes. These run inside realsyn_imageprobe.so
// (imageprobemodule.h), which alone links what they need: OpenCV (resizing,
// the fallback decodes) and Qt Gui (QImage, QImageReader). Extract's
// ordinary PNGs and JPEGs never come here: reading a file and their fast
// decodes are the first half of a probe (imagereader.h, in
// realsyn_imagereader.so) and the hash the second (imagehash.h, in
// realsyn_imagehash.so); this module runs the same code for the probes it is
// asked for whole. The probes of imageprobe.h forward to the modules, so
// that linking them, as stage 1 does, maps none of those libraries until the
// first image (see imageprobe.cpp); imageprobe.h's full decodes for later
// stages (loadImageRgb, decodeImageRgb) are defined in imageprobeimpl.cpp and
// linked into the core directly. The fuzz build links the modules' entry
// points in too (REALSYN_IMAGE_PROBE_STATIC).
#include "core/extract/imageprobe.h"

namespace rs::detail {

// The whole probe of `data`: the first half, then the general way for what
// it declines.
ImageProbe probeImageDataImpl(const QByteArray &data, const ProbeOptions &opts);
double scoreImageFileImpl(IExpert &expert, const QString &path);

} // namespace rs::detail
