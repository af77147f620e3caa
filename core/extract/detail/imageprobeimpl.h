#pragma once
// What imageprobe.h promises, done here: reading, decoding and hashing an
// image. These run inside realsyn_imageprobe.so (imageprobemodule.h), which
// alone links what they need: OpenCV (the perceptual hash, resizing, the
// fallback decodes), Qt Gui (QImage, QImageReader), OpenSSL (SHA-256),
// libjpeg and libdeflate. The probes of imageprobe.h forward to the
// module, so that linking them, as stage 1 does, maps none of those
// libraries until the first image (see imageprobe.cpp); imageprobe.h's full
// decodes for later stages (loadImageRgb, decodeImageRgb) are defined in
// imageprobeimpl.cpp and linked into the core directly. The fuzz build links
// the module's entry points in too (REALSYN_IMAGE_PROBE_STATIC).
#include "core/extract/imageprobe.h"

namespace rs::detail {

ImageProbe probeImageFileImpl(const QString &path, const ProbeOptions &opts);
ImageProbe probeImageDataImpl(const QByteArray &data, const ProbeOptions &opts);
double scoreImageFileImpl(IExpert &expert, const QString &path);

} // namespace rs::detail
