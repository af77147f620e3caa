// realsyn_imageprobe.so: imageprobe.h's work (detail/imageprobeimpl.cpp)
// behind C entry points, so that the libraries it needs load when an image
// first needs them instead of with the process (see imageprobeimpl.h).
#include "core/extract/detail/imageprobemodule.h"

#include "core/extract/detail/imagedecoder.h"
#include "core/extract/detail/imageprobeimpl.h"

#define RS_EXPORT __attribute__((visibility("default")))

extern "C" {

RS_EXPORT int realsyn_image_probe_abi()
{
    return REALSYN_IMAGE_PROBE_ABI;
}

RS_EXPORT void realsyn_image_probe_data(const QByteArray *data, const rs::ProbeOptions *opts, rs::ImageProbe *out)
{
    *out = rs::detail::probeImageDataImpl(*data, *opts);
}

RS_EXPORT double realsyn_image_score(rs::IExpert *expert, const QString *path)
{
    return rs::detail::scoreImageFileImpl(*expert, *path);
}

RS_EXPORT void realsyn_image_codecs_unavailable(QString *why)
{
    *why = rs::detail::imageDecoderUnavailable();
}
}
