#include "core/extract/detail/imagehash.h"

#include "core/extract/detail/imagereader.h"

#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include <exception>

namespace rs::detail {

quint64 perceptualHashOf(const HashPixels &pixels)
{
    // By area, not PHash's own linear resize: that aliases on large images,
    // which makes resized copies hash further apart.
    const cv::Mat image(pixels.height, pixels.width, CV_8UC3, const_cast<unsigned char *>(pixels.bgr.data()));
    cv::Mat small = image;
    if (pixels.width != 32 || pixels.height != 32)
        cv::resize(image, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    // One PHash per thread: it keeps its working matrices from image to
    // image instead of allocating them for each.
    thread_local const cv::Ptr<cv::img_hash::PHash> phash = cv::img_hash::PHash::create();
    cv::Mat hash;
    phash->compute(small, hash);
    quint64 h = 0;
    for (int i = 0; i < int(hash.total()) && i < 8; ++i)
        h = h << 8 | hash.ptr<uchar>(0)[i];
    return h;
}

void hashProbe(ImageProbe &probe, const HashPixels &pixels)
{
    try {
        probe.phash = perceptualHashOf(pixels);
    } catch (const std::exception &e) { // cv::Exception, std::bad_alloc
        probe.failure = QStringLiteral("decode_failed");
        probe.detail = QString::fromUtf8(e.what()).trimmed().section(QLatin1Char('\n'), 0, 0);
    }
}

} // namespace rs::detail
