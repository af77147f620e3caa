// imageprobe.h's full decodes for later stages, forwarded to
// realsyn_imageprobe.so like the probes (imageprobe.cpp), in a file of their
// own: a QImage crosses here, and only what links this file needs Qt Gui.
#include "core/extract/detail/imageprobemodule.h"

namespace rs {

Result<QImage> loadImageRgb(const QString &path, const ProbeOptions &opts, int maxSide)
{
    const detail::ImageProbeModule &m = detail::imageProbeModule();
    if (!m.loadRgb)
        return makeError(ErrorCode::Unsupported, m.unavailable, path);
    Result<QImage> image = QImage();
    m.loadRgb(&path, &opts, maxSide, &image);
    return image;
}

Result<QImage> decodeImageRgb(const QByteArray &data, const ProbeOptions &opts, int maxSide)
{
    const detail::ImageProbeModule &m = detail::imageProbeModule();
    if (!m.decodeRgb)
        return makeError(ErrorCode::Unsupported, m.unavailable);
    Result<QImage> image = QImage();
    m.decodeRgb(&data, &opts, maxSide, &image);
    return image;
}

} // namespace rs
