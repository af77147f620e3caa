// The image probe: header sniffing, pixel limit, hashing and decoding (Qt
// image plugins and OpenCV) of arbitrary bytes, in memory and from a file.
#include "core/extract/imageprobe.h"
#include "tests/fuzz/fuzzsupport.h"

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // 4 Mpixel: a real limit like the default, small enough that a header
    // claiming a huge image is refused before decoding, within -rss_limit_mb.
    rs::ProbeOptions opts;
    opts.maxPixels = 4 * 1024 * 1024;
    const QByteArray bytes = rs::fuzz::bytesOf(data, size);
    const rs::ImageProbe probe = rs::probeImageData(bytes, opts);
    if (probe.ok() && (probe.width <= 0 || probe.height <= 0
                       || qint64(probe.width) * probe.height > opts.maxPixels))
        __builtin_trap();
    auto img = rs::decodeImageRgb(bytes, opts, 64);
    if (img && (img->width() > 64 || img->height() > 64))
        __builtin_trap();
    const QString path = rs::fuzz::writeScratch(QStringLiteral("image"), data, size);
    const rs::ImageProbe fromFile = rs::probeImageFile(path, opts);
    // The same bytes give the same verdict and hash whichever way they come.
    if (fromFile.failure != probe.failure || fromFile.sha256 != probe.sha256)
        __builtin_trap();
    return 0;
}
