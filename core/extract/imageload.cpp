// imageprobe.h's full decodes for later stages (embed, ground, generate,
// export, the studio), linked in directly rather than through
// realsyn_imageprobe.so: what links these links OpenCV and Qt Gui anyway,
// and a stage that decodes thousands of images must not depend on a module
// file being installed. Stage 1, which must not map those libraries at start,
// never links this file (app/cli/CMakeLists.txt).
#include "core/extract/detail/imageprobeimpl.h"

namespace rs {

Result<QImage> loadImageRgb(const QString &path, const ProbeOptions &opts, int maxSide)
{
    return detail::loadImageRgbImpl(path, opts, maxSide);
}

Result<QImage> decodeImageRgb(const QByteArray &data, const ProbeOptions &opts, int maxSide)
{
    return detail::decodeImageRgbImpl(data, opts, maxSide);
}

} // namespace rs
