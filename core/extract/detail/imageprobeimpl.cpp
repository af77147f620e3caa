#include "core/extract/detail/imageprobeimpl.h"

#include "core/extract/detail/bgrimage.h"
#include "core/extract/detail/imagedecoder.h"
#include "core/extract/detail/imagehash.h"
#include "core/extract/detail/imagereader.h"
#include "core/extract/detail/overwhite.h"
#include "core/generate/iexpert.h"
#include "core/util/sha256.h"

#include <QBuffer>
#include <QImageReader>
#include <QMutex>
#include <QMutexLocker>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

namespace rs {

namespace {

const QString kTooManyPixels = QStringLiteral("too_many_pixels");
const QString kDecodeFailed = QStringLiteral("decode_failed");

struct Header {
    QString format;
    int width = 0;
    int height = 0;
    bool sized = false;
};

// Everything a probe or a decode needs to know about one input.
struct Outcome {
    Header header;
    QString failure;
    QString detail;
};

quint32 le16(const uchar *p) { return quint32(p[0]) | quint32(p[1]) << 8; }
quint32 le24(const uchar *p) { return le16(p) | quint32(p[2]) << 16; }
quint32 le32(const uchar *p) { return le24(p) | quint32(p[3]) << 24; }

// Qt here has no WebP plugin, so read the canvas size from the RIFF header
// ourselves (simple lossy "VP8 ", lossless "VP8L", extended "VP8X").
bool sniffWebp(const QByteArray &data, Header &h)
{
    const auto *p = reinterpret_cast<const uchar *>(data.constData());
    const qsizetype n = data.size();
    if (n < 30 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WEBP", 4) != 0)
        return false;
    h.format = QStringLiteral("webp");
    if (memcmp(p + 12, "VP8 ", 4) == 0) {
        if (p[23] != 0x9d || p[24] != 0x01 || p[25] != 0x2a)
            return true;
        h.width = int(le16(p + 26) & 0x3fff);
        h.height = int(le16(p + 28) & 0x3fff);
    } else if (memcmp(p + 12, "VP8L", 4) == 0) {
        if (p[20] != 0x2f)
            return true;
        const quint32 bits = le32(p + 21);
        h.width = int(bits & 0x3fff) + 1;
        h.height = int((bits >> 14) & 0x3fff) + 1;
    } else if (memcmp(p + 12, "VP8X", 4) == 0) {
        h.width = int(le24(p + 24)) + 1;
        h.height = int(le24(p + 27)) + 1;
    } else {
        return true;
    }
    h.sized = h.width > 0 && h.height > 0;
    return true;
}

// Qt has no TIFF plugin either; OpenCV decodes TIFF, so read the first IFD's
// ImageWidth (256) and ImageLength (257) tags. BigTIFF stays unsized.
bool sniffTiff(const QByteArray &data, Header &h)
{
    const auto *p = reinterpret_cast<const uchar *>(data.constData());
    const qsizetype n = data.size();
    if (n < 8)
        return false;
    const bool little = memcmp(p, "II*\0", 4) == 0;
    if (!little && memcmp(p, "MM\0*", 4) != 0)
        return false;
    h.format = QStringLiteral("tiff");
    auto u16 = [&](qsizetype at) {
        return little ? quint32(p[at]) | quint32(p[at + 1]) << 8 : quint32(p[at]) << 8 | quint32(p[at + 1]);
    };
    auto u32 = [&](qsizetype at) {
        return little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
    };
    const qsizetype ifd = qsizetype(u32(4));
    if (ifd < 8 || ifd + 2 > n)
        return true;
    const qsizetype entries = qsizetype(u16(ifd));
    for (qsizetype e = 0; e < entries && ifd + 2 + (e + 1) * 12 <= n; ++e) {
        const qsizetype at = ifd + 2 + e * 12;
        const quint32 tag = u16(at);
        const quint32 type = u16(at + 2);
        if (tag != 256 && tag != 257)
            continue;
        const quint32 value = type == 3 ? u16(at + 8) : type == 4 ? u32(at + 8) : 0;
        (tag == 256 ? h.width : h.height) = int(std::min<quint32>(value, INT_MAX));
    }
    h.sized = h.width > 0 && h.height > 0;
    return true;
}

Header readHeader(const QByteArray &data)
{
    Header h;
    if (sniffWebp(data, h) || sniffTiff(data, h))
        return h;
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    h.format = QString::fromLatin1(reader.format()).toLower();
    if (h.format.isEmpty())
        return h;
    const QSize size = reader.size();
    h.width = size.width();
    h.height = size.height();
    if (h.format == QLatin1String("gif") && data.size() >= 10) {
        // Qt reports the first frame's size but allocates the logical
        // screen, which a small bomb can declare 65535x65535.
        const auto *p = reinterpret_cast<const uchar *>(data.constData());
        h.width = std::max(h.width, int(le16(p + 6)));
        h.height = std::max(h.height, int(le16(p + 8)));
    }
    h.sized = h.width > 0 && h.height > 0;
    return h;
}

// Qt refuses to allocate images above a process-wide limit (MiB). Raise it
// when our own pixel limit needs more, so Qt guards decoding at the same
// limit instead of refusing legitimate images below it.
void ensureQtAllocationLimit(qint64 maxPixels)
{
    static QMutex mutex;
    const qint64 neededMiB = std::min<qint64>(INT_MAX, maxPixels * 4 / (1 << 20) + 1);
    QMutexLocker lock(&mutex);
    if (QImageReader::allocationLimit() != 0 && QImageReader::allocationLimit() < neededMiB)
        QImageReader::setAllocationLimit(int(neededMiB));
}

using detail::kUnreadable;
using detail::overWhite;

// Any depth and 1..4 channels -> CV_8UC3 BGR on white. Empty on failure.
cv::Mat toBgr8(const cv::Mat &in)
{
    cv::Mat m8;
    switch (in.depth()) {
    case CV_8U: m8 = in; break;
    case CV_16U: in.convertTo(m8, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: in.convertTo(m8, CV_8U, 255.0); break; // HDR/EXR-style 0..1 floats
    default: cv::normalize(in, m8, 0, 255, cv::NORM_MINMAX, CV_8U); break;
    }
    cv::Mat out;
    switch (m8.channels()) {
    case 1: cv::cvtColor(m8, out, cv::COLOR_GRAY2BGR); break;
    case 3: out = m8; break;
    case 2: {
        cv::Mat gray(m8.rows, m8.cols, CV_8UC1);
        for (int y = 0; y < m8.rows; ++y) {
            const uchar *s = m8.ptr<uchar>(y);
            uchar *d = gray.ptr<uchar>(y);
            for (int x = 0; x < m8.cols; ++x)
                d[x] = overWhite(s[2 * x], s[2 * x + 1]);
        }
        cv::cvtColor(gray, out, cv::COLOR_GRAY2BGR);
        break;
    }
    case 4: {
        out.create(m8.rows, m8.cols, CV_8UC3);
        for (int y = 0; y < m8.rows; ++y) {
            const uchar *s = m8.ptr<uchar>(y);
            detail::rowOverWhite<0, 1, 2>(s, out.ptr<uchar>(y), m8.cols);
        }
        break;
    }
    default: return {};
    }
    return out;
}

cv::Mat decodeWithQt(const QByteArray &data, QString &error)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    QImage image = reader.read(); // first frame of an animation
    if (image.isNull()) {
        error = reader.errorString();
        return {};
    }
    image = image.convertToFormat(QImage::Format_RGBA8888); // straight (not premultiplied) alpha
    const cv::Mat rgba(image.height(), image.width(), CV_8UC4, image.bits(), size_t(image.bytesPerLine()));
    cv::Mat bgra;
    cv::cvtColor(rgba, bgra, cv::COLOR_RGBA2BGRA);
    return toBgr8(bgra);
}

QString pixelsText(qint64 w, qint64 h)
{
    return QString::number(w) + QLatin1Char('x') + QString::number(h) + QStringLiteral(" (")
        + QString::number(w * h) + QStringLiteral(" px)");
}

// Checks and decodes `data`, giving its pixels (BGR, alpha already
// composited onto white) to `rows` when the outcome is usable.
Outcome decodeChecked(const QByteArray &data, const ProbeOptions &opts, detail::BgrRows &rows)
{
    Outcome o;
    if (data.isEmpty()) {
        o.failure = kUnreadable;
        o.detail = QStringLiteral("file is empty (0 bytes)");
        return o;
    }
    // The fast path first (imagereader.h); anything it declines goes the
    // general way below, which words every failure and never runs its
    // decoders again.
    const detail::FastDecode fast = detail::decodeFast(data, opts, rows);
    if (fast.decoded) {
        o.header = Header{fast.format, rows.width(), rows.height(), true};
        return o;
    }
    const QString &fastError = fast.error;

    o.header = readHeader(data);
    const Header &h = o.header;
    if (!h.sized) {
        o.failure = kDecodeFailed;
        o.detail = h.format.isEmpty() ? QStringLiteral("unrecognised image format")
                                      : QStringLiteral("cannot read the image size from the ") + h.format
                                            + QStringLiteral(" header");
        return o;
    }
    if (qint64(h.width) * h.height > opts.maxPixels) {
        o.failure = kTooManyPixels;
        o.detail = QStringLiteral("header says ") + pixelsText(h.width, h.height) + QStringLiteral(" > limit ")
            + QString::number(opts.maxPixels);
        return o;
    }
    if (h.format == QLatin1String("jpeg") && detail::jpegEnd(data) == detail::JpegEnd::Truncated) {
        o.failure = kDecodeFailed;
        o.detail = QStringLiteral("JPEG data ends before the end-of-image marker (truncated)");
        return o;
    }

    cv::Mat decoded;
    cv::Mat bgr;
    // A fast decoder that threw ends the decode, as it did when this way ran
    // it first.
    QString cvError = fastError;
    try {
        if (fastError.isEmpty()
            && detail::decodeImageBytes(data.constData(), int(std::min<qsizetype>(data.size(), INT_MAX)), decoded, cvError))
            bgr = toBgr8(decoded);
    } catch (const cv::Exception &e) {
        cvError = QString::fromStdString(e.msg).trimmed();
    } catch (const std::exception &e) {
        cvError = QString::fromUtf8(e.what());
    }
    // OpenCV is authoritative for these formats: Qt's readers would hand back
    // a partial image for a truncated PNG or BMP.
    const bool cvAuthoritative = h.format == QLatin1String("png") || h.format == QLatin1String("jpeg")
        || h.format == QLatin1String("bmp");
    const bool qtCanRead = h.format != QLatin1String("webp") && h.format != QLatin1String("tiff");
    if (bgr.empty() && !cvAuthoritative && qtCanRead) {
        ensureQtAllocationLimit(opts.maxPixels);
        QString qtError;
        bgr = decodeWithQt(data, qtError);
        if (bgr.empty() && cvError.isEmpty())
            cvError = qtError;
    }
    if (bgr.empty()) {
        o.failure = kDecodeFailed;
        o.detail = h.format + QStringLiteral(" data could not be decoded")
            + (cvError.isEmpty() ? QString() : QStringLiteral(": ") + cvError.section(QLatin1Char('\n'), 0, 0));
        return o;
    }
    const qint64 width = bgr.cols;
    const qint64 height = bgr.rows;
    if (width * height > opts.maxPixels) { // header lied
        o.failure = kTooManyPixels;
        o.detail = QStringLiteral("decoded ") + pixelsText(width, height) + QStringLiteral(" > limit ")
            + QString::number(opts.maxPixels);
        return o;
    }
    if (!detail::giveRows(bgr, rows))
        throw std::bad_alloc();
    return o;
}

Error outcomeError(const Outcome &o, const QString &context)
{
    const ErrorCode code = o.failure == kUnreadable ? ErrorCode::IoError
        : o.failure == kTooManyPixels             ? ErrorCode::Unsupported
                                                  : ErrorCode::ParseError;
    return makeError(code, o.failure + QStringLiteral(": ") + o.detail, context);
}

Result<QImage> finishRgb(const cv::Mat &bgr, int maxSide, const QString &context)
{
    try {
        cv::Mat src = bgr;
        const int longer = std::max(bgr.cols, bgr.rows);
        if (maxSide > 0 && longer > maxSide) {
            const double scale = double(maxSide) / longer;
            const cv::Size size(std::clamp(int(std::lround(bgr.cols * scale)), 1, maxSide),
                                std::clamp(int(std::lround(bgr.rows * scale)), 1, maxSide));
            cv::resize(bgr, src, size, 0, 0, cv::INTER_AREA);
        }
        cv::Mat rgb;
        cv::cvtColor(src, rgb, cv::COLOR_BGR2RGB);
        QImage image(rgb.cols, rgb.rows, QImage::Format_RGB888);
        if (image.isNull())
            return makeError(ErrorCode::Internal, QStringLiteral("out of memory for the RGB image"), context);
        for (int y = 0; y < rgb.rows; ++y)
            memcpy(image.scanLine(y), rgb.ptr<uchar>(y), size_t(rgb.cols) * 3);
        return image;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, QString::fromUtf8(e.what()).trimmed(), context);
    }
}

} // namespace

namespace detail {

ImageProbe probeImageDataImpl(const QByteArray &data, const ProbeOptions &opts)
{
    ImageProbe probe;
    probe.bytes = data.size();
    probe.sha256 = sha256Hex(data);
    Outcome o;
    try {
        detail::PerceptualHashInput hashInput;
        o = decodeChecked(data, opts, hashInput);
        if (o.failure.isEmpty())
            probe.phash = detail::perceptualHashOf(hashInput.take());
    } catch (const std::exception &e) { // cv::Exception, std::bad_alloc
        o.failure = kDecodeFailed;
        o.detail = QString::fromUtf8(e.what()).trimmed().section(QLatin1Char('\n'), 0, 0);
    }
    probe.failure = o.failure;
    probe.detail = o.detail;
    probe.format = o.header.format;
    probe.width = o.header.width;
    probe.height = o.header.height;
    return probe;
}

double scoreImageFileImpl(IExpert &expert, const QString &path)
{
    if (auto image = loadImageRgb(path, {}, 0))
        if (auto findings = expert.analyze(image.value()); findings && !findings->isEmpty())
            return findings->front().value;
    return -1;
}

} // namespace detail

// imageprobe.h's full decodes for later stages (embed, ground, generate,
// export, the studio), defined here rather than forwarded to the module:
// what calls these links OpenCV and Qt Gui anyway, and a stage that decodes
// thousands of images must not depend on a module file being installed.
// Stage 1, which must not map those libraries at start, never calls them.
Result<QImage> decodeImageRgb(const QByteArray &data, const ProbeOptions &opts, int maxSide)
{
    Outcome o;
    detail::BgrImage image;
    try {
        o = decodeChecked(data, opts, image);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::ParseError, kDecodeFailed + QStringLiteral(": ") + QString::fromUtf8(e.what()));
    }
    if (!o.failure.isEmpty())
        return outcomeError(o, {});
    return finishRgb(image.image, maxSide, {});
}

Result<QImage> loadImageRgb(const QString &path, const ProbeOptions &opts, int maxSide)
{
    Result<QByteArray> data = detail::readImageFile(path, opts.maxFileBytes);
    if (!data)
        return data.error();
    Result<QImage> image = decodeImageRgb(data.value(), opts, maxSide);
    if (!image)
        return makeError(image.error().code, image.error().message, path);
    return image;
}

} // namespace rs
