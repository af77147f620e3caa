// Extract's own PNG and JPEG decoders (core/extract/detail/pngdecoder.h,
// jpegdecoder.h) against cv::imdecode, which they replace for ordinary files:
// where they decode, every pixel must be what cv::imdecode(IMREAD_UNCHANGED)
// followed by probing's conversion (16 bits to 8, gray to BGR, alpha over
// white) gives; where they are unsure, they must decline. The fuzz harnesses
// fuzz_pngdecoder and fuzz_jpegdecoder check the same on mutated files.
#include "core/extract/detail/bgrimage.h"

#include <QBuffer>
#include <QImage>
#include <QRandomGenerator>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>

namespace {

// Probing's conversion of cv::imdecode's output (imageprobe.cpp's toBgr8),
// restated for the reference.
cv::Mat referenceBgr(const std::vector<uchar> &bytes)
{
    cv::Mat m = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    if (m.empty())
        return {};
    if (m.depth() == CV_16U)
        m.convertTo(m, CV_8U, 1.0 / 257.0);
    cv::Mat out;
    if (m.channels() == 1) {
        cv::cvtColor(m, out, cv::COLOR_GRAY2BGR);
    } else if (m.channels() == 3) {
        out = m;
    } else {
        out.create(m.rows, m.cols, CV_8UC3);
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x) {
                const cv::Vec4b s = m.at<cv::Vec4b>(y, x);
                for (int c = 0; c < 3; ++c)
                    out.at<cv::Vec3b>(y, x)[c] = uchar((s[c] * s[3] + 255 * (255 - s[3]) + 127) / 255);
            }
    }
    return out;
}

cv::Mat noise(int rows, int cols, int type, quint32 seed)
{
    cv::Mat m(rows, cols, type);
    QRandomGenerator rng(seed);
    auto *p = m.ptr<uchar>(0);
    for (size_t i = 0; i < m.total() * m.elemSize(); ++i)
        p[i] = uchar(rng.bounded(256));
    // Runs of fully clear and fully opaque pixels too, as icons have.
    if (m.channels() == 4 && m.depth() == CV_8U)
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < cols; ++x)
                if ((x + y) % 5 == 0)
                    m.at<cv::Vec4b>(y, x)[3] = (x % 2) ? 255 : 0;
    return m;
}

std::vector<uchar> encode(const cv::Mat &m, const char *ext, std::vector<int> params = {})
{
    std::vector<uchar> out;
    if (!cv::imencode(ext, m, out, params))
        qFatal("imencode %s failed", ext);
    return out;
}

std::vector<uchar> qtPng(const QImage &image)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        qFatal("QImage::save failed");
    return {data.begin(), data.end()};
}

quint32 crc32(const uchar *p, size_t n)
{
    quint32 c = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

// `png` with a chunk (CRC correct) inserted after IHDR, or before IEND.
std::vector<uchar> withChunk(std::vector<uchar> png, const char *type, const std::vector<uchar> &data, bool afterIdat)
{
    std::vector<uchar> chunk;
    const quint32 n = quint32(data.size());
    for (int s = 24; s >= 0; s -= 8)
        chunk.push_back(uchar(n >> s));
    chunk.insert(chunk.end(), type, type + 4);
    chunk.insert(chunk.end(), data.begin(), data.end());
    const quint32 crc = crc32(chunk.data() + 4, chunk.size() - 4);
    for (int s = 24; s >= 0; s -= 8)
        chunk.push_back(uchar(crc >> s));
    png.insert(png.begin() + std::ptrdiff_t(afterIdat ? png.size() - 12 : 33), chunk.begin(), chunk.end());
    return png;
}

bool same(const cv::Mat &a, const cv::Mat &b)
{
    return a.size == b.size && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

} // namespace

class TestFastDecoders : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pngMatchesOpenCv_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<bool>("fast"); // expected to take the fast path
        const auto row = [](const char *name, const std::vector<uchar> &bytes, bool fast) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())) << fast;
        };
        for (const cv::Size size : {cv::Size(1, 1), cv::Size(17, 33), cv::Size(300, 200)}) {
            const QByteArray tag = QByteArray::number(size.width) + "x" + QByteArray::number(size.height);
            row(QByteArray("gray " + tag).constData(), encode(noise(size.height, size.width, CV_8UC1, 1), ".png"), true);
            row(QByteArray("bgr " + tag).constData(), encode(noise(size.height, size.width, CV_8UC3, 2), ".png"), true);
            row(QByteArray("bgra " + tag).constData(), encode(noise(size.height, size.width, CV_8UC4, 3), ".png"), true);
            // Each filter strategy and compression level gives other filter bytes.
            row(QByteArray("bgr filtered " + tag).constData(),
                encode(noise(size.height, size.width, CV_8UC3, 4), ".png", {cv::IMWRITE_PNG_STRATEGY, cv::IMWRITE_PNG_STRATEGY_FILTERED,
                                                                           cv::IMWRITE_PNG_COMPRESSION, 9}),
                true);
            row(QByteArray("gray16 " + tag).constData(), encode(noise(size.height, size.width, CV_16UC1, 5), ".png"), true);
            row(QByteArray("bgr16 " + tag).constData(), encode(noise(size.height, size.width, CV_16UC3, 15), ".png"), true);
            row(QByteArray("bgra16 " + tag).constData(), encode(noise(size.height, size.width, CV_16UC4, 16), ".png"), true);
        }
        // Every 16-bit value once: each must narrow as cv::Mat::convertTo does.
        cv::Mat ramp(256, 256, CV_16UC1);
        for (int v = 0; v < 65536; ++v)
            ramp.at<ushort>(v / 256, v % 256) = ushort(v);
        row("every 16-bit value", encode(ramp, ".png"), true);
        // Palette (with alpha in its table) and 1-bit images, as Qt writes them.
        QImage indexed(37, 21, QImage::Format_Indexed8);
        QList<QRgb> table;
        for (int i = 0; i < 200; ++i)
            table << qRgba(i, 255 - i, (i * 7) % 256, i % 3 ? 255 : i);
        indexed.setColorTable(table);
        for (int y = 0; y < indexed.height(); ++y)
            for (int x = 0; x < indexed.width(); ++x)
                indexed.setPixel(x, y, uint((x * 13 + y * 7) % 200));
        row("palette with alpha", qtPng(indexed), true);
        QImage mono(45, 9, QImage::Format_Mono);
        mono.fill(0);
        for (int x = 0; x < mono.width(); x += 3)
            mono.setPixel(x, x % 9, 1);
        row("1-bit", qtPng(mono), true);
    }

    void pngMatchesOpenCv()
    {
        QFETCH(QByteArray, file);
        QFETCH(bool, fast);
        const std::vector<uchar> bytes(file.begin(), file.end());
        cv::Mat decoded;
        QCOMPARE(rs::detail::decodePngFast(bytes.data(), bytes.size(), decoded), fast);
        if (fast)
            QVERIFY(same(decoded, referenceBgr(bytes)));
        else
            QVERIFY(decoded.empty());
    }

    // Exif in a PNG: OpenCV 4.6 parses it (and ignores what it cannot
    // parse), libpng only warns about a malformed or repeated one; the pixels
    // are the same either way, so the fast path keeps them.
    void pngExifKeepsTheFastPath_data()
    {
        QTest::addColumn<QByteArray>("file");
        const std::vector<uchar> png = encode(noise(20, 30, CV_8UC3, 12), ".png");
        const std::vector<uchar> tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 1, 18, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        const auto row = [](const char *name, const std::vector<uchar> &bytes) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
        };
        row("orientation 6", withChunk(png, "eXIf", tiff, false));
        row("after IDAT", withChunk(png, "eXIf", tiff, true));
        row("twice", withChunk(withChunk(png, "eXIf", tiff, false), "eXIf", tiff, true));
        row("bad byte order", withChunk(png, "eXIf", {'M', 'I', 0, 42, 1, 2, 3}, false));
        row("too short", withChunk(png, "eXIf", {'M'}, false));
        row("garbage directory", withChunk(png, "eXIf", {'I', 'I', 42, 0, 0xff, 0xff, 0xff, 0x7f}, false));
    }

    void pngExifKeepsTheFastPath()
    {
        QFETCH(QByteArray, file);
        const std::vector<uchar> bytes(file.begin(), file.end());
        const cv::Mat reference = referenceBgr(bytes);
        QVERIFY(!reference.empty());
        cv::Mat decoded;
        QVERIFY(rs::detail::decodePngFast(bytes.data(), bytes.size(), decoded));
        QVERIFY(same(decoded, reference));
    }

    // An animated PNG is its default image to libpng 1.6 without the APNG
    // patch (Debian's), which skips the animation chunks.
    void animatedPngIsItsDefaultImage()
    {
        const std::vector<uchar> still = encode(noise(12, 10, CV_8UC4, 14), ".png");
        const std::vector<uchar> actl = {0, 0, 0, 2, 0, 0, 0, 0};
        std::vector<uchar> fctl(26, 0);
        fctl[7] = 10; // width
        fctl[11] = 12; // height
        std::vector<uchar> fdat = {0, 0, 0, 1};
        fdat.insert(fdat.end(), still.begin() + 41, still.begin() + 60); // some bytes; never decoded by libpng
        const std::vector<uchar> animated =
            withChunk(withChunk(withChunk(still, "fcTL", fctl, false), "acTL", actl, false), "fdAT", fdat, true);
        const cv::Mat reference = referenceBgr(animated);
        QVERIFY(!reference.empty());
        QVERIFY(same(reference, referenceBgr(still)));
        cv::Mat decoded;
        QVERIFY(rs::detail::decodePngFast(animated.data(), animated.size(), decoded));
        QVERIFY(same(decoded, reference));
    }

    // libpng limits chunk sizes (user_chunk_malloc_max, 8,000,000 bytes in
    // Debian's build) in ways that depend on the chunk; the fast path leaves
    // any chunk above that to it.
    void oversizedChunkIsDeclined()
    {
        const std::vector<uchar> png = withChunk(encode(noise(8, 8, CV_8UC1, 13), ".png"), "tEXt",
                                                 std::vector<uchar>(8000001, 'x'), false);
        cv::Mat decoded;
        QVERIFY(!rs::detail::decodePngFast(png.data(), png.size(), decoded));
        QVERIFY(decoded.empty());
    }

    void jpegMatchesOpenCv_data()
    {
        QTest::addColumn<QByteArray>("file");
        const auto row = [](const char *name, const std::vector<uchar> &bytes) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
        };
        row("gray", encode(noise(33, 17, CV_8UC1, 6), ".jpg"));
        row("colour 4:2:0", encode(noise(200, 300, CV_8UC3, 7), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90}));
        row("colour, odd size", encode(noise(31, 45, CV_8UC3, 8), ".jpg", {cv::IMWRITE_JPEG_QUALITY, 100}));
        row("progressive", encode(noise(64, 80, CV_8UC3, 9), ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
    }

    void jpegMatchesOpenCv()
    {
        QFETCH(QByteArray, file);
        const std::vector<uchar> bytes(file.begin(), file.end());
        cv::Mat decoded;
        QVERIFY(rs::detail::decodeJpegFast(bytes.data(), bytes.size(), decoded));
        QVERIFY(same(decoded, referenceBgr(bytes)));
    }

    // Damage that cv::imdecode reports, or papers over (a truncated JPEG
    // comes back grey-filled), is declined and left to it.
    void damagedFilesAreDeclined()
    {
        const std::vector<uchar> png = encode(noise(40, 40, CV_8UC3, 10), ".png");
        const std::vector<uchar> jpeg = encode(noise(40, 40, CV_8UC3, 11), ".jpg");
        cv::Mat out;
        for (size_t cut : {size_t(8), size_t(33), png.size() / 2, png.size() - 1}) {
            QVERIFY(!rs::detail::decodePngFast(png.data(), cut, out));
            QVERIFY(out.empty());
        }
        for (size_t cut : {size_t(2), size_t(100), jpeg.size() / 2, jpeg.size() - 2}) {
            QVERIFY(!rs::detail::decodeJpegFast(jpeg.data(), cut, out));
            QVERIFY(out.empty());
        }
        std::vector<uchar> badCrc = png;
        badCrc[29] ^= 0x01; // the IHDR chunk's CRC
        QVERIFY(!rs::detail::decodePngFast(badCrc.data(), badCrc.size(), out));
        std::vector<uchar> badData = png;
        badData[png.size() / 2] ^= 0x55; // inside IDAT: its CRC no longer matches
        QVERIFY(!rs::detail::decodePngFast(badData.data(), badData.size(), out));
        QVERIFY(!rs::detail::decodePngFast(jpeg.data(), jpeg.size(), out));
        QVERIFY(!rs::detail::decodeJpegFast(png.data(), png.size(), out));
    }
};

QTEST_GUILESS_MAIN(TestFastDecoders)
#include "test_fastdecoders.moc"
