// realsyn_imagehash.so: the perceptual hash of a probe (imagehash.h) behind a
// C entry point, so that OpenCV loads when extract first hashes instead of
// with the process, and without Qt Gui (realsyn_imageprobe.so).
#include "core/extract/detail/imagehashmodule.h"

#include "core/extract/detail/imagehash.h"

#define RS_EXPORT __attribute__((visibility("default")))

extern "C" {

RS_EXPORT int realsyn_image_hash_abi()
{
    return REALSYN_IMAGE_HASH_ABI;
}

RS_EXPORT void realsyn_image_hash_probe(rs::ImageProbe *probe, const rs::detail::HashPixels *pixels)
{
    rs::detail::hashProbe(*probe, *pixels);
}
}
