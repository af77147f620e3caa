#pragma once
// The C entry points of realsyn_imageprobe.so (imageprobemodule.cpp): the
// functions of imageprobe.h that extract calls, but for the two halves of a
// PNG's or JPEG's probe (realsyn_imagereader.so, realsyn_imagehash.so). (The full decodes of later
// stages, loadImageRgb and decodeImageRgb, are linked into the core
// instead: those stages link OpenCV and Qt Gui anyway, and so never depend
// on the module being installed.) Both sides are built from this tree with the
// same compiler and Qt, so Qt and realsyn types cross the boundary by
// pointer; the ABI number guards against a stale module from another build.
#include "core/extract/imageprobe.h"

#define REALSYN_IMAGE_PROBE_ABI 4

extern "C" {
int realsyn_image_probe_abi();
void realsyn_image_probe_data(const QByteArray *data, const rs::ProbeOptions *opts, rs::ImageProbe *out);
double realsyn_image_score(rs::IExpert *expert, const QString *path);
void realsyn_image_codecs_unavailable(QString *why);
}

namespace rs::detail {

// The core's handle on the module: opened once, by the first call that needs
// it (in extract, the first image the reader declines), and never closed. Every entry is null when it did not
// load; `unavailable` says why.
struct ImageProbeModule {
    decltype(&realsyn_image_probe_data) probeData = nullptr;
    decltype(&realsyn_image_score) score = nullptr;
    decltype(&realsyn_image_codecs_unavailable) codecsUnavailable = nullptr;
    QString unavailable;
};
const ImageProbeModule &imageProbeModule();

} // namespace rs::detail
