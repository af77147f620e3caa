// The first half of an image probe (imagereader.h): no OpenCV, no Qt Gui.
#include "core/extract/detail/imagereader.h"

#include "core/extract/detail/jpegdecoder.h"
#include "core/extract/detail/pngdecoder.h"
#include "core/util/sha256.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rs::detail {

namespace {

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

} // namespace

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

// Reads a whole image file, refusing one over maxBytes before reading it
// (two 2 GB files decoded at once took over 4 GB and aborted the process).
Result<QByteArray> readImageFile(const QString &path, qint64 maxBytes)
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

unsigned char *PerceptualHashInput::row(int y)
{
    return m_streaming ? m_row.data() : m_whole.bgr.data() + size_t(y) * size_t(m_whole.width) * 3;
}

void PerceptualHashInput::finishRow(int)
{
    if (m_streaming)
        m_area->addRow(m_row.data());
}

void PerceptualHashInput::finishRgbRow(int y, const unsigned char *rgb)
{
    if (!m_streaming) {
        BgrRows::finishRgbRow(y, rgb);
        return;
    }
    m_rgbRows = true;
    m_area->addRow(rgb);
}

HashPixels PerceptualHashInput::take()
{
    if (!m_streaming)
        return std::exchange(m_whole, {});
    HashPixels small{AreaResize32::kSide, AreaResize32::kSide, std::vector<unsigned char>(AreaResize32::kOutputBytes)};
    m_area->result(small.bgr.data());
    if (m_rgbRows)
        for (int i = 0; i < AreaResize32::kOutputBytes; i += 3)
            std::swap(small.bgr[i], small.bgr[i + 2]);
    return small;
}

bool PerceptualHashInput::start(int width, int height)
{
    m_rgbRows = false;
    m_streaming = AreaResize32::supports(width, height);
    if (m_streaming) {
        m_whole = {};
        m_area.emplace(width, height);
        m_row.resize(size_t(width) * 3);
    } else {
        m_area.reset();
        m_whole.width = width;
        m_whole.height = height;
        m_whole.bgr.assign(size_t(width) * size_t(height) * 3, 0);
    }
    return true;
}

FastDecode decodeFast(const QByteArray &data, const ProbeOptions &opts, BgrRows &rows)
{
    // Ordinary PNGs and JPEGs go straight to the decoders of this folder,
    // which decode them to the same pixels as cv::imdecode without OpenCV's
    // codec module (and faster, for PNG), straight into `rows`. They read the
    // size from the header themselves and refuse one over the limit before
    // decoding a row (BgrRows::begin). Only a success is final, and it is
    // what the general way gives for the same bytes, Qt's header included
    // (fuzz_imageprobe checks that). They take nothing that lacks their
    // signature, nor (by the header check) an image over the limit. Asking
    // QImageReader for the header first was 2% of extract.
    FastDecode f;
    f.format = fastPathFormat(data);
    if (f.format.isEmpty() || (f.format == QLatin1String("jpeg") && jpegEnd(data) == JpegEnd::Truncated))
        return f;
    const auto *bytes = reinterpret_cast<const unsigned char *>(data.constData());
    rows.setPixelLimit(opts.maxPixels);
    try {
        f.decoded = f.format == QLatin1String("png") ? decodePngFast(bytes, size_t(data.size()), rows)
                                                     : decodeJpegFast(bytes, size_t(data.size()), rows);
    } catch (const std::exception &e) {
        f.error = QString::fromUtf8(e.what()).trimmed();
    }
    rows.setPixelLimit(-1);
    return f;
}

void prepareReaderThread()
{
    preparePngDecoderThread();
}

FastProbe probeDataFast(const QByteArray &data, const ProbeOptions &opts, ImageProbe &probe, HashPixels &pixels)
{
    PerceptualHashInput input;
    const FastDecode f = decodeFast(data, opts, input);
    if (!f.decoded)
        return FastProbe::Declined;
    // The fields probeImageDataImpl fills for a usable image.
    probe = ImageProbe();
    probe.bytes = data.size();
    probe.sha256 = sha256Hex(data);
    probe.format = f.format;
    probe.width = input.width();
    probe.height = input.height();
    pixels = input.take();
    return FastProbe::Hashed;
}

FastProbe probeFileFast(const QString &path, const ProbeOptions &opts, ImageProbe &probe, HashPixels &pixels,
                        QByteArray &data)
{
    Result<QByteArray> read = readImageFile(path, opts.maxFileBytes);
    if (!read) {
        probe = ImageProbe();
        const QString &message = read.error().message;
        probe.failure = message.startsWith(kTooLarge) ? kTooLarge : kUnreadable;
        probe.detail = message.mid(probe.failure.size() + 2);
        probe.bytes = QFileInfo(path).size();
        return FastProbe::Final;
    }
    data = std::move(read.value());
    return probeDataFast(data, opts, probe, pixels);
}

} // namespace rs::detail
