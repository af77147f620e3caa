#include "core/extract/detail/jpegdecoder.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio> // jpeglib.h uses FILE and size_t without declaring them
#include <cstdlib>
#include <cstring>
#include <iterator>

extern "C" {
#include <jpeglib.h>
}

namespace rs::detail {

namespace {

// cv::imdecode's own limits (loadsave.cpp, CV_IO_MAX_IMAGE_*): it throws
// above them, so the fast path must not succeed there.
constexpr JDIMENSION kMaxSide = 1u << 20;
constexpr unsigned long long kMaxPixels = 1ull << 30;

// The environment variables that change those limits, read once by OpenCV
// at start-up. When one is set we let cv::imdecode apply it.
constexpr const char *kLimitVariables[] = {"OPENCV_IO_MAX_IMAGE_WIDTH", "OPENCV_IO_MAX_IMAGE_HEIGHT",
                                           "OPENCV_IO_MAX_IMAGE_PIXELS"};

struct ErrorManager {
    jpeg_error_mgr pub; // first: libjpeg's cinfo->err points here
    std::jmp_buf jump;
};

// Plain data only: it lives across setjmp/longjmp.
struct Decoder {
    jpeg_decompress_struct cinfo;
    ErrorManager err;
};

[[noreturn]] void onError(j_common_ptr cinfo)
{
    std::longjmp(reinterpret_cast<ErrorManager *>(cinfo->err)->jump, 1);
}

// A warning means libjpeg patched over damaged data (grey blocks, a made-up
// end of image), which cv::imdecode may still accept: stop here (as
// TurboJPEG's stop-on-warning does) and let the fallback decide. Trace
// messages (level >= 0) are dropped, so nothing reaches stderr.
void onMessage(j_common_ptr cinfo, int level)
{
    if (level < 0) {
        ++cinfo->err->num_warnings;
        std::longjmp(reinterpret_cast<ErrorManager *>(cinfo->err)->jump, 1);
    }
}

void onOutput(j_common_ptr) {}

// libjpeg may longjmp out of everything it is called for, so every call into
// it sits in one of these two functions, whose locals are all trivially
// destructible (nothing for a longjmp to skip).
bool readHeader(Decoder &d, const unsigned char *data, size_t size)
{
    if (setjmp(d.err.jump) != 0)
        return false;
    jpeg_create_decompress(&d.cinfo);
    // Same bytes as OpenCV's buffer source; the only difference is at the end
    // of the data, where OpenCV's source suspends and this one warns (and the
    // warning sends the input to the fallback).
    jpeg_mem_src(&d.cinfo, data, static_cast<unsigned long>(size));
    if (jpeg_read_header(&d.cinfo, TRUE) != JPEG_HEADER_OK)
        return false;
    // OpenCV 4.6 leaves every decompression parameter at libjpeg's default
    // (JDCT_ISLOW, fancy upsampling, block smoothing) and scales by 1/1.
    d.cinfo.scale_num = 1;
    d.cinfo.scale_denom = 1;
    jpeg_calc_output_dimensions(&d.cinfo);
    return true;
}

// `out` has begun an image of the output size; it never throws from row()
// or finishRow(), so nothing unwinds through libjpeg.
bool readPixels(Decoder &d, BgrRows &out)
{
    if (setjmp(d.err.jump) != 0)
        return false;
    // OpenCV 4.6 asks for JCS_RGB and swaps to BGR itself, and for a gray
    // image JCS_GRAYSCALE, which toBgr8 replicates; libjpeg-turbo's BGR
    // output is the same colour conversion with the bytes stored the other
    // way round, and its gray to BGR conversion is the same replication.
    d.cinfo.out_color_space = JCS_EXT_BGR;
    if (!jpeg_start_decompress(&d.cinfo) || d.cinfo.output_components != 3)
        return false;
    // One row per call: the rows go straight on to `out`, which may keep
    // only the latest (libjpeg buffers its MCU row either way).
    while (d.cinfo.output_scanline < d.cinfo.output_height) {
        const int y = int(d.cinfo.output_scanline);
        JSAMPROW row = out.row(y);
        if (jpeg_read_scanlines(&d.cinfo, &row, 1) != 1)
            return false; // a memory source never suspends; never loop on it
        out.finishRow(y);
    }
    jpeg_finish_decompress(&d.cinfo);
    return d.err.pub.num_warnings == 0;
}

// Frees libjpeg's memory on every way out, std::bad_alloc from the rows too.
struct DecoderCleanup {
    Decoder &d;
    ~DecoderCleanup() { jpeg_destroy_decompress(&d.cinfo); }
};

bool limitsOverridden()
{
    static const bool overridden = std::any_of(std::begin(kLimitVariables), std::end(kLimitVariables),
                                               [](const char *name) { return std::getenv(name) != nullptr; });
    return overridden;
}

// The component layouts OpenCV turns into the same BGR as libjpeg's own
// conversion. Four components (CMYK, YCCK) go through OpenCV's CMYK to BGR
// arithmetic, and two fail in libjpeg: both fall back.
bool fastLayout(const jpeg_decompress_struct &c)
{
    if (c.num_components == 1)
        return c.jpeg_color_space == JCS_GRAYSCALE;
    if (c.num_components == 3)
        return c.jpeg_color_space == JCS_YCbCr || c.jpeg_color_space == JCS_RGB;
    return false;
}

} // namespace

bool decodeJpegFast(const unsigned char *data, size_t size, BgrRows &rows)
{
    // cv::imdecode hands the bytes to its JPEG decoder only when they start
    // with FF D8 FF; anything else is another decoder's business.
    if (data == nullptr || size < 3 || data[0] != 0xff || data[1] != 0xd8 || data[2] != 0xff)
        return false;
    if (limitsOverridden())
        return false;

    Decoder d;
    std::memset(&d, 0, sizeof d); // jpeg_destroy_decompress is safe even if create never ran
    d.cinfo.err = jpeg_std_error(&d.err.pub);
    d.err.pub.error_exit = onError;
    d.err.pub.emit_message = onMessage;
    d.err.pub.output_message = onOutput;
    const DecoderCleanup cleanup{d};

    if (!readHeader(d, data, size) || !fastLayout(d.cinfo))
        return false;
    const JDIMENSION width = d.cinfo.output_width;
    const JDIMENSION height = d.cinfo.output_height;
    if (width == 0 || height == 0 || width > kMaxSide || height > kMaxSide
        || static_cast<unsigned long long>(width) * height > kMaxPixels)
        return false;

    return rows.begin(int(width), int(height)) && readPixels(d, rows);
}

} // namespace rs::detail
