#pragma once
// A fast path for the commonest input of image probing: an ordinary PNG,
// inflated with libdeflate and unfiltered straight into the BGR-on-white
// image that probing works on. zlib's inflate and libpng's row machinery were
// about half of the stage's CPU; this path skips both, and declines anything
// where it could not be sure of matching OpenCV (Debian 12's 4.6 on libpng
// 1.6 and zlib) exactly, down to which inputs fail.

#include <opencv2/core.hpp>

#include <cstddef>

namespace rs::detail {

// Returns true and sets `bgr` (CV_8UC3) to exactly what
// toBgr8(cv::imdecode(bytes, cv::IMREAD_UNCHANGED)) gives, for the PNGs this
// fast path handles: not interlaced, 8 bits or less per sample, gray (1/2/4/8
// bits, tRNS or not), RGB (tRNS or not), palette (1/2/4/8 bits, tRNS or not),
// gray+alpha and RGBA. Returns false (bgr left empty) for anything else, and
// for ANY input that is malformed or unusual in any way; the caller then falls
// back to cv::imdecode, which decides the outcome and the error message.
// Only allocation failure throws (from cv::Mat).
bool decodePngFast(const unsigned char *data, size_t size, cv::Mat &bgr);

} // namespace rs::detail
