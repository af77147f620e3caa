#pragma once
// How image probing flattens transparency, defined once for every decoder
// that feeds it (cv::imdecode's output in imageprobe.cpp, and the PNG fast
// path, which must give the same bytes): each channel over a white
// background, out = c * a + 255 * (1 - a), in 8 bits with rounding.

namespace rs::detail {

inline unsigned char overWhite(int c, int a)
{
    return static_cast<unsigned char>((c * a + 255 * (255 - a) + 127) / 255);
}

// One row of `width` 4-channel pixels onto white as 3-channel BGR. B, G and R
// name the source byte of each output channel (2, 1, 0 for RGBA input;
// 0, 1, 2 for BGRA); byte 3 is alpha.
template <int B, int G, int R>
void rowOverWhite(const unsigned char *s, unsigned char *d, long width)
{
    for (long x = 0; x < width; ++x, s += 4, d += 3) {
        // Most pixels of screenshots and icons are opaque or fully clear,
        // where overWhite() is c and 255 exactly: skip the arithmetic there
        // (this loop was 4% of extract).
        const int a = s[3];
        if (a == 255) {
            d[0] = s[B];
            d[1] = s[G];
            d[2] = s[R];
        } else if (a == 0) {
            d[0] = d[1] = d[2] = 255;
        } else {
            d[0] = overWhite(s[B], a);
            d[1] = overWhite(s[G], a);
            d[2] = overWhite(s[R], a);
        }
    }
}

} // namespace rs::detail
