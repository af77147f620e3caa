// The image probe: header sniffing, pixel limit, hashing and decoding (Qt
// image plugins and OpenCV) of arbitrary bytes, in memory and from a file.
#include "core/extract/imageprobe.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QBuffer>
#include <QImageReader>

#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

namespace {

// The perceptual hash the old way: the whole decoded image, cv::resize to
// 32x32 (INTER_AREA), then PHash. The probe averages rows as they decode
// (core/extract/detail/arearesize.h) and must give the same 64 bits.
quint64 wholeImageHash(const QImage &rgb)
{
    const cv::Mat view(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar *>(rgb.constBits()),
                       size_t(rgb.bytesPerLine()));
    cv::Mat bgr, small, hash;
    cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
    cv::resize(bgr, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    cv::img_hash::PHash::create()->compute(small, hash);
    quint64 h = 0;
    for (int i = 0; i < 8; ++i)
        h = h << 8 | hash.ptr<uchar>(0)[i];
    return h;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    rs::fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // 4 Mpixel: a real limit like the default, small enough that a header
    // claiming a huge image is refused before decoding, within -rss_limit_mb.
    rs::ProbeOptions opts;
    opts.maxPixels = 4 * 1024 * 1024;
    const QByteArray bytes = rs::fuzz::bytesOf(data, size);
    const rs::ImageProbe probe = rs::probeImageData(bytes, opts);
    if (probe.ok() && (probe.width <= 0 || probe.height <= 0
                       || qint64(probe.width) * probe.height > opts.maxPixels))
        __builtin_trap();
    // A usable image is named and sized as Qt's reader names and sizes it,
    // PNG and JPEG included, though the fast decoders never ask Qt: had Qt
    // disagreed, the general way would have judged these bytes differently.
    // WebP and TIFF are sniffed by hand (Qt has no reader for them here), and
    // a GIF may be larger than Qt says (its logical screen).
    if (probe.ok() && probe.format != QLatin1String("webp") && probe.format != QLatin1String("tiff")) {
        QBuffer buffer;
        buffer.setData(bytes);
        buffer.open(QIODevice::ReadOnly);
        QImageReader reader(&buffer);
        const QSize qtSize = reader.size();
        if (QString::fromLatin1(reader.format()).toLower() != probe.format)
            __builtin_trap();
        if (probe.format == QLatin1String("gif") ? qtSize.width() > probe.width || qtSize.height() > probe.height
                                                 : qtSize != QSize(probe.width, probe.height))
            __builtin_trap();
    }
    auto img = rs::decodeImageRgb(bytes, opts, 64);
    if (img && (img->width() > 64 || img->height() > 64))
        __builtin_trap();
    if (probe.ok()) {
        const auto whole = rs::decodeImageRgb(bytes, opts);
        if (!whole || whole.value().format() != QImage::Format_RGB888 || wholeImageHash(whole.value()) != probe.phash)
            __builtin_trap();
    }
    const QString path = rs::fuzz::writeScratch(QStringLiteral("image"), data, size);
    const rs::ImageProbe fromFile = rs::probeImageFile(path, opts);
    // The same bytes give the same verdict and hash whichever way they come.
    if (fromFile.failure != probe.failure || fromFile.sha256 != probe.sha256 || fromFile.phash != probe.phash)
        __builtin_trap();
    return 0;
}
