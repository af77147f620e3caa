// realsyn_imagedecoder.so: the only code that links libopencv_imgcodecs (see
// imagedecoder.h for why it is a module of its own).
#include "core/extract/detail/imagedecodermodule.h"

#include <opencv2/imgcodecs.hpp>

#include <exception>

extern "C" {

__attribute__((visibility("default"))) int realsyn_image_decoder_abi()
{
    return REALSYN_IMAGE_DECODER_ABI;
}

__attribute__((visibility("default"))) int realsyn_image_decode(const unsigned char *data, int size, cv::Mat *out,
                                                                std::string *error)
{
    try {
        const cv::Mat buf(1, size, CV_8U, const_cast<unsigned char *>(data));
        *out = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
        return out->empty() ? 0 : 1;
    } catch (const cv::Exception &e) {
        *error = e.msg;
    } catch (const std::exception &e) {
        *error = e.what();
    }
    return 0;
}
}
