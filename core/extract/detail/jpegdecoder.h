#pragma once
// JPEG decoding straight through libjpeg, without cv::imdecode: the image
// probe then needs libopencv_imgcodecs (and the ~140 libraries it maps, see
// imagedecoder.h) only for the JPEGs this fast path declines. It calls
// libjpeg exactly as OpenCV 4.6's JpegDecoder does for IMREAD_UNCHANGED, so
// the pixels are the same bit for bit; the fuzz harness
// tests/fuzz/fuzz_jpegdecoder.cpp checks that against cv::imdecode.
#include "core/extract/detail/bgrrows.h"

#include <cstddef>

namespace rs::detail {

// Returns true and gives `rows` exactly the pixels of
// toBgr8(cv::imdecode(bytes, cv::IMREAD_UNCHANGED)) gives, for the JPEGs this
// fast path handles: 1-component (gray) and 3-component (YCbCr or RGB)
// baseline, extended, progressive or arithmetic-coded 8-bit JPEGs. Returns
// false for anything else (CMYK/YCCK, other component counts, oversized
// images), and for ANY input libjpeg warns about or fails on, possibly after
// giving `rows` part of the image; the caller then falls back to
// cv::imdecode, which decides the outcome and the error message. Only
// std::bad_alloc (from `rows`) escapes.
bool decodeJpegFast(const unsigned char *data, size_t size, BgrRows &rows);

} // namespace rs::detail
