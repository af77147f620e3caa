// The PNG fast path of image probing (core/extract/detail/pngdecoder): on
// any bytes it either declines or gives exactly the image OpenCV gives,
// composited onto white as imageprobe's toBgr8 does. Each input is also tried
// with every chunk CRC recomputed, so that mutations get past the CRC checks
// into the chunk rules and the deflate stream.
#include "core/extract/detail/bgrimage.h"

#include <libdeflate.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// imageprobe's toBgr8 for what the fast path accepts: 8- or 16-bit gray, BGR
// or BGRA (16 bits narrowed with convertTo, as toBgr8 does).
cv::Mat bgrOnWhite(const cv::Mat &decoded)
{
    cv::Mat in = decoded;
    if (in.depth() == CV_16U)
        decoded.convertTo(in, CV_8U, 1.0 / 257.0);
    if (in.depth() != CV_8U || (in.channels() != 1 && in.channels() != 3 && in.channels() != 4))
        return {};
    cv::Mat out(in.rows, in.cols, CV_8UC3);
    for (int y = 0; y < in.rows; ++y) {
        const uchar *s = in.ptr<uchar>(y);
        uchar *d = out.ptr<uchar>(y);
        for (int x = 0; x < in.cols; ++x, s += in.channels(), d += 3) {
            if (in.channels() == 1) {
                d[0] = d[1] = d[2] = s[0];
                continue;
            }
            const int a = in.channels() == 4 ? s[3] : 255;
            for (int c = 0; c < 3; ++c)
                d[c] = uchar((s[c] * a + 255 * (255 - a) + 127) / 255);
        }
    }
    return out;
}

void check(const uint8_t *data, size_t size)
{
    cv::Mat fast;
    if (!rs::detail::decodePngFast(data, size, fast)) {
        if (!fast.empty())
            __builtin_trap();
        return;
    }
    cv::Mat slow;
    try {
        const cv::Mat buf(1, int(size), CV_8U, const_cast<uint8_t *>(data));
        slow = bgrOnWhite(cv::imdecode(buf, cv::IMREAD_UNCHANGED));
    } catch (const cv::Exception &) {
    }
    if (slow.empty() || fast.type() != CV_8UC3 || fast.size() != slow.size())
        __builtin_trap();
    for (int y = 0; y < slow.rows; ++y)
        if (memcmp(fast.ptr(y), slow.ptr(y), size_t(slow.cols) * 3) != 0)
            __builtin_trap();
}

// A copy with each chunk's CRC made right, as far as the chunks parse.
std::vector<uint8_t> withGoodCrcs(const uint8_t *data, size_t size)
{
    std::vector<uint8_t> v(data, data + size);
    size_t pos = 8;
    while (v.size() >= 12 && pos <= v.size() - 12) {
        const uint32_t len
            = uint32_t(v[pos]) << 24 | uint32_t(v[pos + 1]) << 16 | uint32_t(v[pos + 2]) << 8 | v[pos + 3];
        if (len > v.size() - pos - 12)
            break;
        const uint32_t crc = libdeflate_crc32(0, v.data() + pos + 4, size_t(len) + 4);
        for (int i = 0; i < 4; ++i)
            v[pos + 8 + len + i] = uint8_t(crc >> (24 - 8 * i));
        pos += size_t(len) + 12;
    }
    return v;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    cv::setNumThreads(1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // imageprobe refuses images over its pixel limit from the header, before
    // decoding; 4 Mpixel here keeps within libFuzzer's memory limit.
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        auto be32 = [&](size_t at) {
            return uint64_t(data[at]) << 24 | uint64_t(data[at + 1]) << 16 | uint64_t(data[at + 2]) << 8 | data[at + 3];
        };
        if (be32(16) * be32(20) > 4 * 1024 * 1024)
            return 0;
    }
    check(data, size);
    const std::vector<uint8_t> fixed = withGoodCrcs(data, size);
    if (fixed.size() > 8 && memcmp(fixed.data(), data, size) != 0)
        check(fixed.data(), fixed.size());
    return 0;
}
