#pragma once
// The C entry points of realsyn_imagedecoder.so (imagedecodermodule.cpp).
// Same compiler and OpenCV on both sides (both are built from this tree), so
// cv::Mat and std::string cross the boundary; the ABI number guards against
// a stale module from another build.
#include <opencv2/core.hpp>

#include <string>

#define REALSYN_IMAGE_DECODER_ABI 1

extern "C" {
int realsyn_image_decoder_abi();
// 1 and `out` set on success; 0 with `error` set (possibly empty) otherwise.
int realsyn_image_decode(const unsigned char *data, int size, cv::Mat *out, std::string *error);
}
