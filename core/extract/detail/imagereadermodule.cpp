// realsyn_imagereader.so: the first half of an image probe (imagereader.h)
// behind a C entry point, so that the libraries it needs (libcrypto,
// libdeflate, libjpeg) load with the first image instead of with the
// process, and without OpenCV and Qt Gui (realsyn_imageprobe.so).
#include "core/extract/detail/imagereadermodule.h"

#define RS_EXPORT __attribute__((visibility("default")))

extern "C" {

RS_EXPORT int realsyn_image_reader_abi()
{
    return REALSYN_IMAGE_READER_ABI;
}

RS_EXPORT void realsyn_image_reader_prepare_thread()
{
    rs::detail::prepareReaderThread();
}

RS_EXPORT int realsyn_image_read_file(const QString *path, const rs::ProbeOptions *opts, rs::ImageProbe *probe,
                                      rs::detail::HashPixels *pixels, QByteArray *data)
{
    return int(rs::detail::probeFileFast(*path, *opts, *probe, *pixels, *data));
}
}
