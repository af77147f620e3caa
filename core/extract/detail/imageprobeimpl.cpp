#include "core/extract/detail/imageprobeimpl.h"

#include "core/extract/detail/arearesize.h"
#include "core/extract/detail/bgrrows.h"
#include "core/extract/detail/imagedecoder.h"
#include "core/extract/detail/jpegdecoder.h"
#include "core/extract/detail/overwhite.h"
#include "core/extract/detail/pngdecoder.h"
#include "core/generate/iexpert.h"
#include "core/util/sha256.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QMutex>
#include <QMutexLocker>
#include <QScopeGuard>

#include <opencv2/core.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rs {

namespace {

const QString kUnreadable = QStringLiteral("unreadable");
const QString kTooManyPixels = QStringLiteral("too_many_pixels");
const QString kDecodeFailed = QStringLiteral("decode_failed");
const QString kTooLarge = QStringLiteral("too_large");

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

enum class JpegEnd { Complete, Truncated, Unknown };

// libjpeg decodes a truncated file into a partly grey image with only a
// warning, so walk the marker segments and the entropy-coded data to see
// whether the end-of-image marker is there. Inside scan data 0xFF is always
// followed by 0x00 (stuffing) or an RST marker, so any other FFxx is a marker.
JpegEnd jpegEnd(const QByteArray &data)
{
    const auto *p = reinterpret_cast<const uchar *>(data.constData());
    const qsizetype n = data.size();
    if (n < 4 || p[0] != 0xff || p[1] != 0xd8)
        return JpegEnd::Unknown;
    qsizetype i = 2;
    while (i < n) {
        if (p[i] != 0xff)
            return JpegEnd::Unknown; // not where a marker should be: let libjpeg judge
        while (i < n && p[i] == 0xff)
            ++i; // fill bytes
        if (i >= n)
            return JpegEnd::Truncated;
        const uchar marker = p[i++];
        if (marker == 0xd9)
            return JpegEnd::Complete;
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
            continue;
        if (i + 1 >= n)
            return JpegEnd::Truncated;
        const qsizetype length = qsizetype(p[i]) << 8 | p[i + 1];
        if (length < 2)
            return JpegEnd::Unknown;
        i += length;
        if (marker == 0xda) {
            // To the next 0xFF that starts a marker, 0xFF by 0xFF (memchr:
            // the byte-by-byte walk was 0.4% of the demo's extract).
            while (i + 1 < n) {
                const void *ff = std::memchr(p + i, 0xff, size_t(n - i));
                if (!ff)
                    return JpegEnd::Truncated;
                i = static_cast<const uchar *>(ff) - p;
                if (i + 1 >= n)
                    break;
                const uchar next = p[i + 1];
                if (next != 0x00 && next != 0xff && !(next >= 0xd0 && next <= 0xd7))
                    break;
                ++i;
            }
            if (i + 1 >= n)
                return JpegEnd::Truncated;
        }
    }
    return JpegEnd::Truncated;
}

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

// The format of bytes the fast decoders may take: the PNG signature, or the
// FF D8 FF that cv::imdecode (and decodeJpegFast) ask of a JPEG. Qt's
// readers name these two "png" and "jpeg".
QString fastPathFormat(const QByteArray &data)
{
    if (data.startsWith(QByteArrayView("\x89PNG\r\n\x1a\n", 8)))
        return QStringLiteral("png");
    if (data.startsWith(QByteArrayView("\xff\xd8\xff", 3)))
        return QStringLiteral("jpeg");
    return {};
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
    // Ordinary PNGs and JPEGs go straight to the decoders of detail/, which
    // decode them to the same pixels as cv::imdecode without OpenCV's codec
    // module (and faster, for PNG), straight into `rows`. They read the size
    // from the header themselves and refuse one over the limit before
    // decoding a row (BgrRows::begin). Only a success is final here, and it
    // is what the general way below gives for the same bytes, Qt's header
    // included (fuzz_imageprobe checks that). Anything they decline goes the
    // general way, which words every failure and never runs them again: they
    // take nothing that lacks their signature, nor (by the header check) an
    // image over the limit. Asking QImageReader for the header first was 2%
    // of extract.
    QString fastError; // what a fast decoder threw (std::bad_alloc from the rows)
    if (const QString format = fastPathFormat(data);
        !format.isEmpty() && (format != QLatin1String("jpeg") || jpegEnd(data) != JpegEnd::Truncated)) {
        const auto *bytes = reinterpret_cast<const unsigned char *>(data.constData());
        bool fast = false;
        rows.setPixelLimit(opts.maxPixels);
        try {
            fast = format == QLatin1String("png") ? detail::decodePngFast(bytes, size_t(data.size()), rows)
                                                  : detail::decodeJpegFast(bytes, size_t(data.size()), rows);
        } catch (const cv::Exception &e) {
            fastError = QString::fromStdString(e.msg).trimmed();
        } catch (const std::exception &e) {
            fastError = QString::fromUtf8(e.what());
        }
        rows.setPixelLimit(-1);
        if (fast) {
            o.header = Header{format, rows.width(), rows.height(), true};
            return o;
        }
    }

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
    if (h.format == QLatin1String("jpeg") && jpegEnd(data) == JpegEnd::Truncated) {
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

// The perceptual hash's input, taken row by row from a decoder: the image is
// area-averaged down to PHash's 32x32 input first (its own linear resize
// aliases on large images, which makes resized copies hash further apart).
// The average is taken as the rows arrive, exactly as cv::resize(INTER_AREA)
// computes it (detail/arearesize.h); an image under 32 pixels on a side,
// which cv::resize enlarges instead, is kept whole and resized at the end.
class PerceptualHashInput final : public detail::BgrRows {
public:
    unsigned char *row(int y) override { return m_streaming ? m_row.data() : m_whole.ptr<unsigned char>(y); }
    void finishRow(int) override
    {
        if (m_streaming)
            m_area->addRow(m_row.data());
    }
    // The average of each channel is worked out apart from the others'
    // (AreaResize32 does the same arithmetic for every byte of a pixel), so
    // R, G, B rows give the B, G, R average with B and R swapped: exactly,
    // and with no pass to swap each pixel first.
    void finishRgbRow(int y, const unsigned char *rgb) override
    {
        if (!m_streaming) {
            BgrRows::finishRgbRow(y, rgb);
            return;
        }
        m_rgbRows = true;
        m_area->addRow(rgb);
    }

    quint64 hash() const
    {
        cv::Mat small(32, 32, CV_8UC3);
        if (m_streaming) {
            m_area->result(small.data);
            if (m_rgbRows)
                for (int i = 0; i < detail::AreaResize32::kOutputBytes; i += 3)
                    std::swap(small.data[i], small.data[i + 2]);
        } else {
            cv::resize(m_whole, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
        }
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

private:
    bool start(int width, int height) override
    {
        m_rgbRows = false;
        m_streaming = detail::AreaResize32::supports(width, height);
        if (m_streaming) {
            m_whole.release();
            m_area.emplace(width, height);
            m_row.resize(size_t(width) * 3);
        } else {
            m_area.reset();
            m_whole.create(height, width, CV_8UC3);
        }
        return true;
    }

    bool m_streaming = false;
    bool m_rgbRows = false; // the rows came through finishRgbRow
    std::optional<detail::AreaResize32> m_area;
    std::vector<unsigned char> m_row;
    cv::Mat m_whole;
};

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

// Reads a whole image file, refusing one over maxBytes before reading it
// (two 2 GB files decoded at once took over 4 GB and aborted the process).
Result<QByteArray> readFile(const QString &path, qint64 maxBytes)
{
    // POSIX calls, four per image (open, fstat, read, close): QFileInfo and
    // a buffered QFile made it nine, and on the project's VMs a system call
    // costs microseconds; the demo's 1,963 images made ~8,000 of them extra.
    const QByteArray name = QFile::encodeName(path);
    int fd;
    do
        fd = ::open(name.constData(), O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return makeError(ErrorCode::NotFound, QStringLiteral("unreadable: no such file"), path);
        return makeError(ErrorCode::IoError, QStringLiteral("unreadable: ") + qt_error_string(errno), path);
    }
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    const auto ioError = [&](int error) { return makeError(ErrorCode::IoError, QStringLiteral("unreadable: ") + qt_error_string(error), path); };
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return ioError(errno);
    if (S_ISDIR(st.st_mode))
        return ioError(EISDIR);
    const auto tooLarge = [&](qint64 size) {
        return makeError(ErrorCode::Unsupported,
                         kTooLarge + QStringLiteral(": file is %1 bytes, over the limit of %2 (extract.max_file_bytes)").arg(size).arg(maxBytes),
                         path);
    };
    const qint64 size = qint64(st.st_size);
    if (size > maxBytes)
        return tooLarge(size);
    // Bounded even when the size above was not the whole story (a file that
    // grows, a special file whose size reads 0): the size seen plus one byte
    // first, which a regular file answers in one read, then up to the limit
    // plus one. Asking for the limit at once cost a 256 MiB buffer per image
    // (slow under ASan, and that much address space per worker).
    QByteArray data(size + 1, Qt::Uninitialized);
    qint64 got = 0;
    for (;;) {
        if (got == data.size()) {
            if (data.size() > maxBytes)
                break;
            data.resize(std::min<qint64>(maxBytes + 1, std::max<qint64>(data.size() * 2, 4096)));
        }
        const ssize_t n = ::read(fd, data.data() + got, size_t(data.size() - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ioError(errno);
        if (n == 0)
            break;
        got += n;
        if (S_ISREG(st.st_mode) && got < data.size())
            break; // a regular file reads short only at its end: no second read to learn that
    }
    data.truncate(got);
    if (data.size() > maxBytes)
        return tooLarge(data.size());
    return data;
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
        PerceptualHashInput hashInput;
        o = decodeChecked(data, opts, hashInput);
        if (o.failure.isEmpty())
            probe.phash = hashInput.hash();
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

ImageProbe probeImageFileImpl(const QString &path, const ProbeOptions &opts)
{
    Result<QByteArray> data = readFile(path, opts.maxFileBytes);
    if (!data) {
        ImageProbe probe;
        const QString &message = data.error().message;
        probe.failure = message.startsWith(kTooLarge) ? kTooLarge : kUnreadable;
        probe.detail = message.mid(probe.failure.size() + 2);
        probe.bytes = QFileInfo(path).size();
        return probe;
    }
    return probeImageDataImpl(data.value(), opts);
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
    Result<QByteArray> data = readFile(path, opts.maxFileBytes);
    if (!data)
        return data.error();
    Result<QImage> image = decodeImageRgb(data.value(), opts, maxSide);
    if (!image)
        return makeError(image.error().code, image.error().message, path);
    return image;
}

} // namespace rs
