#pragma once
// The one call into OpenCV's image codecs (cv::imdecode), kept out of the
// executables: libopencv_imgcodecs maps about 140 shared libraries (GDAL,
// OpenEXR, libtiff, ...), which cost every `realsyn` start ~0.2 s of dynamic
// loading even when no image is decoded. The call lives in a small module,
// realsyn_imagedecoder.so, opened on the first decode (see imagedecoder.cpp
// for where it is looked for). The fuzz build links the module's source
// statically instead (REALSYN_IMAGE_DECODER_STATIC).
#include "core/extract/detail/imagedecodermodule.h"
#include "core/util/runtimemodule.h"

#include <QString>

#include <opencv2/core.hpp>

namespace rs::detail {

// Where the module is looked for, for the loader (imagedecoder.cpp) and for
// the check at extract's start, which loads nothing (imageProbeMissing()).
inline constexpr RuntimeModuleSpec kImageDecoderModule{"image decoder", "REALSYN_IMAGE_DECODER", "realsyn_imagedecoder.so",
                                                       "realsyn_image_decoder_abi", REALSYN_IMAGE_DECODER_ABI};

// Decodes encoded image bytes as cv::imdecode(IMREAD_UNCHANGED) would. Returns
// false with `error` set when the bytes do not decode, or when the decoder
// module cannot be loaded (the error then says which files were tried).
bool decodeImageBytes(const char *data, int size, cv::Mat &out, QString &error);

// Empty when the decoder module is loaded (loading it if need be); otherwise
// why it is not, for a stage to refuse to start instead of recording every
// image as undecodable. Reached from the core through the image probe
// module (imageCodecsUnavailable() in imageprobe.h); the check at a stage's
// start, which loads nothing, is imageProbeMissing().
QString imageDecoderUnavailable();

} // namespace rs::detail
