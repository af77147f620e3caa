#pragma once
// The C entry points of realsyn_imagehash.so (imagehashmodule.cpp): the
// perceptual hash of a probe (imagehash.h). Built from this tree with the
// same compiler and Qt as the core, so Qt and realsyn types cross the
// boundary by pointer; the ABI number guards against a stale module from
// another build.
#include "core/extract/imageproberesult.h"

#define REALSYN_IMAGE_HASH_ABI 1

extern "C" {
int realsyn_image_hash_abi();
void realsyn_image_hash_probe(rs::ImageProbe *probe, const rs::detail::HashPixels *pixels);
}

namespace rs::detail {

// The core's handle on the module: opened once, in extract by the main
// thread once the workers decode (startImageProbe), and never closed. The
// entry is null when it did not load; `unavailable` says why.
struct ImageHashModule {
    decltype(&realsyn_image_hash_probe) hashProbe = nullptr;
    QString unavailable;
};
const ImageHashModule &imageHashModule();
// The module when imageHashModule() has returned already, without waiting
// for a load under way; null otherwise.
const ImageHashModule *imageHashModuleIfLoaded();

} // namespace rs::detail
