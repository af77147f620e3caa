#pragma once
// The perceptual hash of an image probe: OpenCV's PHash of the 32x32 input
// that the first half of the probe leaves (imagereader.h). It runs in
// realsyn_imagehash.so (imagehashmodule.h), which links only OpenCV's core,
// imgproc and img_hash: extract's main thread loads it while the workers
// decode, without the ~25 libraries Qt Gui maps for the formats only
// realsyn_imageprobe.so reads. That module hashes with the same code.
#include "core/extract/imageproberesult.h"

#include <QtGlobal>

namespace rs::detail {

struct HashPixels;

// OpenCV's PHash of `pixels`, resized to its 32x32 input first when they are
// not that already, by area.
quint64 perceptualHashOf(const HashPixels &pixels);

// The second half of a probe the first half left at FastProbe::Hashed: its
// perceptual hash, or decode_failed should OpenCV throw (worded as
// probeImageDataImpl words it).
void hashProbe(ImageProbe &probe, const HashPixels &pixels);

} // namespace rs::detail
