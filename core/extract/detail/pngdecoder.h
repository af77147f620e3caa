#pragma once
// A fast path for the commonest input of image probing: an ordinary PNG,
// inflated with libdeflate and unfiltered straight into the BGR-on-white
// image that probing works on. zlib's inflate and libpng's row machinery were
// about half of the stage's CPU; this path skips both, and declines anything
// where it could not be sure of matching OpenCV (Debian 12's 4.6 on libpng
// 1.6 and zlib) exactly, down to which inputs fail.

#include "core/extract/detail/bgrrows.h"

#include <cstddef>

namespace rs::detail {

// Returns true and gives `rows` exactly the pixels of
// toBgr8(cv::imdecode(bytes, cv::IMREAD_UNCHANGED)) gives, for the PNGs this
// fast path handles: not interlaced; gray (1/2/4/8 bits, tRNS or not; 16
// bits without tRNS), RGB (8 bits, tRNS or not; 16 bits without), palette
// (1/2/4/8 bits, tRNS or not), gray+alpha and RGBA (8 or 16 bits); animated
// PNGs as their default image. Returns false for anything else, and for ANY
// input that is malformed or unusual in any way, possibly after giving `rows`
// part of the image; the caller then falls back to cv::imdecode, which
// decides the outcome and the error message. Only allocation failure throws.
bool decodePngFast(const unsigned char *data, size_t size, BgrRows &rows);

// Allocates the calling thread's decompressor and buffers, which
// decodePngFast would on its first image. They are thread-local, and glibc
// takes the loader's lock to set up a thread's copy in a module opened with
// dlopen (realsyn_imagereader.so): a thread that first decodes while
// another thread is inside dlopen waits for that whole load.
void preparePngDecoderThread();

} // namespace rs::detail
