#pragma once
// The C entry points of realsyn_imagereader.so (imagereadermodule.cpp): the
// first half of an image probe (imagereader.h). Built from this tree with
// the same compiler and Qt as the core, so Qt and realsyn types cross the
// boundary by pointer; the ABI number guards against a stale module from
// another build.
#include "core/extract/detail/imagereader.h"
#include "core/extract/imageproberesult.h"

#define REALSYN_IMAGE_READER_ABI 1

extern "C" {
int realsyn_image_reader_abi();
void realsyn_image_reader_prepare_thread();
// probeFileFast; returns its FastProbe as an int.
int realsyn_image_read_file(const QString *path, const rs::ProbeOptions *opts, rs::ImageProbe *probe,
                            rs::detail::HashPixels *pixels, QByteArray *data);
}

namespace rs::detail {

// The core's handle on the module: opened once, by the first image of a
// probe (an extract worker's first), and never closed. The entry is null
// when it did not load; `unavailable` says why.
struct ImageReaderModule {
    decltype(&realsyn_image_read_file) readFile = nullptr;
    decltype(&realsyn_image_reader_prepare_thread) prepareThread = nullptr;
    QString unavailable;
};
const ImageReaderModule &imageReaderModule();

} // namespace rs::detail
