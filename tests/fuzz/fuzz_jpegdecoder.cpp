// The JPEG fast path (core/extract/detail/jpegdecoder): whatever it accepts,
// cv::imdecode(IMREAD_UNCHANGED) accepts too, with the same pixels once gray
// is replicated to BGR (as the image probe's toBgr8 does). What it declines
// is cv::imdecode's to judge, so a decline needs no check beyond an empty
// result.
#include "core/extract/detail/bgrimage.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>

namespace {

// Like fuzz_imageprobe's pixel limit: a header may claim 65500x65500 in a
// few bytes, and decoding that (either way) would hit -rss_limit_mb and be
// reported as a finding.
constexpr uint64_t kMaxPixels = 4 * 1024 * 1024;

// The size in the first SOFn, found by walking the marker segments as libjpeg
// does before it reads the frame header. Inputs where this walk loses its way
// make libjpeg warn or fail before the fast path allocates anything.
bool claimsTooManyPixels(const uint8_t *p, size_t n)
{
    size_t i = 2;
    while (i < n && p[i] == 0xff) {
        while (i < n && p[i] == 0xff)
            ++i; // fill bytes
        if (i + 7 >= n)
            return false;
        const uint8_t marker = p[i];
        if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
            const uint64_t height = uint64_t(p[i + 4]) << 8 | p[i + 5];
            const uint64_t width = uint64_t(p[i + 6]) << 8 | p[i + 7];
            return width * height > kMaxPixels;
        }
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
            ++i; // no length
            continue;
        }
        if (marker == 0xd8 || marker == 0xd9 || marker == 0xda)
            return false; // libjpeg fails before any frame is decoded
        // libjpeg skips a segment whose length field is under 2 as if it
        // were 2 (empty), without a warning.
        i += 1 + std::max<size_t>(2, size_t(p[i + 1]) << 8 | p[i + 2]);
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > size_t(INT_MAX) || claimsTooManyPixels(data, size))
        return 0;
    cv::Mat fast;
    if (!rs::detail::decodeJpegFast(data, size, fast)) {
        if (!fast.empty())
            __builtin_trap();
        return 0;
    }
    if (fast.type() != CV_8UC3 || fast.empty())
        __builtin_trap();

    cv::Mat reference;
    try {
        const cv::Mat buf(1, int(size), CV_8U, const_cast<uint8_t *>(data));
        reference = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &) {
        __builtin_trap(); // the fast path accepted what OpenCV throws on
    }
    if (reference.empty())
        __builtin_trap(); // ... or what OpenCV refuses
    if (reference.type() == CV_8UC1)
        cv::cvtColor(reference, reference, cv::COLOR_GRAY2BGR);
    if (reference.type() != CV_8UC3 || reference.size() != fast.size() || cv::norm(reference, fast, cv::NORM_INF) != 0)
        __builtin_trap();
    return 0;
}
