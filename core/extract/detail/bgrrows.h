#pragma once
// Where an image decoder puts its BGR-on-white pixels: one row at a time, top
// to bottom. A probe only needs the 32x32 area average for the perceptual
// hash, so it takes each row as it is decoded and never holds the image
// (holding it cost a page fault per 4 KiB of every image, and a second pass
// over memory); a decode for the pipeline's later stages keeps the whole
// image in a cv::Mat (bgrimage.h). Nothing here needs OpenCV: the image
// reader module (imagereader.h) decodes without it.
#include <cstdint>

namespace rs::detail {

class BgrRows {
public:
    virtual ~BgrRows() = default;
    // Starts a new image, dropping whatever an earlier, abandoned decode
    // gave: a fast decoder may give up half way and cv::imdecode start over.
    // False when the rows cannot be taken, or when the image is over the
    // pixel limit (setPixelLimit), so that a decoder which read the size from
    // its own header gives up before decoding a row; may throw std::bad_alloc
    // (before any decoder state that needs cleaning up by hand).
    bool begin(int width, int height)
    {
        if (m_pixelLimit >= 0 && int64_t(width) * height > m_pixelLimit)
            return false;
        setSize(width, height);
        return start(width, height);
    }
    // At most `pixels` (width * height) from the next begin() on; negative:
    // no limit (the default).
    void setPixelLimit(int64_t pixels) { m_pixelLimit = pixels; }
    // Where row y (width * 3 bytes) is to be written. Rows are asked for and
    // finished in order, each finished before the next is asked for. Neither
    // call throws: a decoder may call them between setjmp and longjmp.
    virtual unsigned char *row(int y) = 0;
    virtual void finishRow(int y) = 0;
    // Row y as R, G, B (width * 3 bytes, read only during the call), from a
    // decoder that has it so (an 8-bit RGB PNG), instead of row() and
    // finishRow(). By default it is swapped into row(y); a receiver that
    // can take it as it is (the perceptual hash's average, which is the
    // same per channel whatever their order) saves that pass over every
    // pixel. Like them, it never throws.
    virtual void finishRgbRow(int y, const unsigned char *rgb)
    {
        swapRedBlue(rgb, row(y), m_width);
        finishRow(y);
    }

    // B, G, R from R, G, B (or back): `width` pixels of 3 bytes.
    static void swapRedBlue(const unsigned char *s, unsigned char *d, int64_t width)
    {
        for (int64_t x = 0; x < width; ++x, s += 3, d += 3) {
            d[0] = s[2];
            d[1] = s[1];
            d[2] = s[0];
        }
    }

    // The size of the image begun last.
    int width() const { return m_width; }
    int height() const { return m_height; }

protected:
    virtual bool start(int width, int height) = 0;
    void setSize(int width, int height)
    {
        m_width = width;
        m_height = height;
    }

private:
    int m_width = 0;
    int m_height = 0;
    int64_t m_pixelLimit = -1;
};

} // namespace rs::detail
