#pragma once
// Whole decoded images for the BgrRows decoders (bgrrows.h): the cv::Mat
// side, which the image reader module (imagereader.h) must not include.
#include "core/extract/detail/bgrrows.h"
#include "core/extract/detail/jpegdecoder.h"
#include "core/extract/detail/pngdecoder.h"

#include <opencv2/core.hpp>

#include <cstring>

namespace rs::detail {

// Keeps the whole image.
class BgrImage final : public BgrRows {
public:
    unsigned char *row(int y) override { return image.ptr<unsigned char>(y); }
    void finishRow(int) override {}

    // Takes a decoded image (CV_8UC3) as it is, without a copy.
    void adopt(const cv::Mat &bgr)
    {
        image = bgr;
        setSize(bgr.cols, bgr.rows);
    }

    cv::Mat image; // CV_8UC3

private:
    bool start(int width, int height) override
    {
        image.create(height, width, CV_8UC3);
        return !image.empty();
    }
};

// Runs `decode`, a decoder writing to BgrRows (decodePngFast,
// decodeJpegFast), into a whole image: `bgr` (CV_8UC3) when it returns true,
// empty otherwise.
template <typename Decode>
bool decodeWholeImage(Decode &&decode, cv::Mat &bgr)
{
    BgrImage image;
    const bool ok = decode(image);
    bgr = ok ? image.image : cv::Mat();
    return ok;
}

// Hands a whole decoded image (CV_8UC3) to `rows`; a BgrImage takes it as it
// is, without a copy.
inline bool giveRows(const cv::Mat &bgr, BgrRows &rows)
{
    CV_Assert(bgr.type() == CV_8UC3);
    if (auto *image = dynamic_cast<BgrImage *>(&rows)) {
        image->adopt(bgr);
        return true;
    }
    if (!rows.begin(bgr.cols, bgr.rows))
        return false;
    for (int y = 0; y < bgr.rows; ++y) {
        memcpy(rows.row(y), bgr.ptr<unsigned char>(y), size_t(bgr.cols) * 3);
        rows.finishRow(y);
    }
    return true;
}

// The fast decoders into a whole image (CV_8UC3; empty on false).
inline bool decodePngFast(const unsigned char *data, size_t size, cv::Mat &bgr)
{
    return decodeWholeImage([&](BgrRows &rows) { return decodePngFast(data, size, rows); }, bgr);
}

inline bool decodeJpegFast(const unsigned char *data, size_t size, cv::Mat &bgr)
{
    return decodeWholeImage([&](BgrRows &rows) { return decodeJpegFast(data, size, rows); }, bgr);
}

} // namespace rs::detail
