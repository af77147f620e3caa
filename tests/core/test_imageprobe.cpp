#include "core/extract/imageprobe.h"

#include "core/extract/detail/imagehashmodule.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include <sys/resource.h>

#include <random>

using namespace rs;

namespace {

// A deterministic scene: a seed-dependent gradient and shapes, plus a pure
// red 16x16 block in the top-left corner for pixel checks.
cv::Mat drawScene(int w, int h, quint32 seed)
{
    std::mt19937 rng(seed);
    cv::Mat m(h, w, CV_8UC3);
    const bool horizontal = seed % 2 == 0;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int t = horizontal ? x * 255 / w : y * 255 / h;
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(t), uchar(255 - t), uchar((t + int(seed) * 40) % 256));
        }
    for (int i = 0; i < 8; ++i) {
        const cv::Point c(int(rng() % unsigned(w)), int(rng() % unsigned(h)));
        const cv::Scalar colour(rng() % 256, rng() % 256, rng() % 256);
        if (i % 2)
            cv::circle(m, c, int(rng() % unsigned(h / 3)) + 5, colour, cv::FILLED);
        else
            cv::rectangle(m, c, c + cv::Point(int(rng() % unsigned(w / 3)), int(rng() % unsigned(h / 3))), colour,
                          cv::FILLED);
    }
    cv::rectangle(m, cv::Rect(0, 0, 16, 16), cv::Scalar(0, 0, 255), cv::FILLED);
    return m;
}

QByteArray encode(const cv::Mat &m, const char *ext, const std::vector<int> &params = {})
{
    std::vector<uchar> buf;
    if (!cv::imencode(ext, m, buf, params))
        return {};
    return QByteArray(reinterpret_cast<const char *>(buf.data()), qsizetype(buf.size()));
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

void appendBe32(QByteArray &out, quint32 v)
{
    for (int s = 24; s >= 0; s -= 8)
        out.append(char((v >> s) & 0xff));
}
void appendLe16(QByteArray &out, quint32 v)
{
    out.append(char(v & 0xff));
    out.append(char((v >> 8) & 0xff));
}
void appendLe24(QByteArray &out, quint32 v)
{
    appendLe16(out, v);
    out.append(char((v >> 16) & 0xff));
}

quint32 crc32(const QByteArray &bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char ch : bytes) {
        crc ^= uchar(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void appendPngChunk(QByteArray &png, const char *type, const QByteArray &data)
{
    appendBe32(png, quint32(data.size()));
    const QByteArray typed = QByteArray(type, 4) + data;
    png.append(typed);
    appendBe32(png, crc32(typed));
}

// A valid-looking PNG whose IHDR claims width x height RGB with a tiny IDAT.
QByteArray pngBomb(quint32 width, quint32 height)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    appendBe32(ihdr, width);
    appendBe32(ihdr, height);
    ihdr.append(QByteArray("\x08\x02\x00\x00\x00", 5)); // 8 bit, RGB, deflate, no filter, no interlace
    appendPngChunk(png, "IHDR", ihdr);
    appendPngChunk(png, "IDAT", qCompress(QByteArray(4096, '\0')).mid(4)); // qCompress = 4-byte size + zlib
    appendPngChunk(png, "IEND", {});
    return png;
}

// A small real JPEG whose frame header (SOF0) claims width x height: the
// scan data is that of 16x16 pixels, so only a decoder that trusts the header
// would try to allocate the rest.
QByteArray jpegBomb(quint16 width, quint16 height)
{
    QByteArray jpeg = encode(cv::Mat(16, 16, CV_8UC3, cv::Scalar(40, 80, 120)), ".jpg");
    const qsizetype sof = jpeg.indexOf(QByteArray("\xff\xc0", 2));
    if (sof < 0)
        return {};
    // FF C0, length (2), precision (1), then height and width, big-endian.
    jpeg[sof + 5] = char(height >> 8);
    jpeg[sof + 6] = char(height & 0xff);
    jpeg[sof + 7] = char(width >> 8);
    jpeg[sof + 8] = char(width & 0xff);
    return jpeg;
}

// Qt reads but does not write GIF, so write one by hand: 256-colour global
// palette, each frame LZW-coded as 9-bit literals with a clear code every 250
// pixels so the code size never grows.
QByteArray gif(int w, int h, const QVector<QByteArray> &frames, const QVector<QRgb> &palette)
{
    QByteArray out("GIF89a");
    appendLe16(out, quint32(w));
    appendLe16(out, quint32(h));
    out.append(char(0xf7)); // global table, 8-bit colour resolution, 256 entries
    out.append('\0');
    out.append('\0');
    for (int i = 0; i < 256; ++i) {
        const QRgb c = i < palette.size() ? palette[i] : qRgb(0, 0, 0);
        out.append(char(qRed(c)));
        out.append(char(qGreen(c)));
        out.append(char(qBlue(c)));
    }
    for (const QByteArray &indices : frames) {
        out.append(QByteArray("\x21\xf9\x04\x04\x0a\x00\x00\x00", 8)); // GCE: keep frame, 0.1 s
        out.append(char(0x2c));
        appendLe16(out, 0);
        appendLe16(out, 0);
        appendLe16(out, quint32(w));
        appendLe16(out, quint32(h));
        out.append('\0');
        out.append(char(8)); // LZW minimum code size
        QByteArray lzw;
        quint32 acc = 0;
        int bits = 0;
        auto emit = [&](quint32 code) {
            acc |= code << bits;
            bits += 9;
            while (bits >= 8) {
                lzw.append(char(acc & 0xff));
                acc >>= 8;
                bits -= 8;
            }
        };
        for (int i = 0; i < indices.size(); ++i) {
            if (i % 250 == 0)
                emit(256);
            emit(uchar(indices[i]));
        }
        emit(257);
        if (bits > 0)
            lzw.append(char(acc & 0xff));
        for (int pos = 0; pos < lzw.size(); pos += 255) {
            const QByteArray block = lzw.mid(pos, 255);
            out.append(char(block.size()));
            out.append(block);
        }
        out.append('\0');
    }
    out.append(char(0x3b));
    return out;
}

QRgb pixel(const QImage &img, int x, int y) { return img.pixel(x, y); }

bool near(QRgb got, QRgb want, int tolerance)
{
    return qAbs(qRed(got) - qRed(want)) <= tolerance && qAbs(qGreen(got) - qGreen(want)) <= tolerance
        && qAbs(qBlue(got) - qBlue(want)) <= tolerance;
}

QByteArray describe(QRgb c)
{
    return QByteArray::number(qRed(c)) + ',' + QByteArray::number(qGreen(c)) + ',' + QByteArray::number(qBlue(c));
}

long peakRssKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

class TestImageProbe : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Extract's probe in two halves (startImageProbe, then finishImageProbe)
    // gives what the whole probe gives, field for field: with the hash left
    // pending while the hash module is not loaded (this test runs first,
    // before anything has loaded it), and with it computed at once after.
    // The sizes take each way to the hash's input: streamed through the
    // whole-number and the fractional area average, as 8-bit RGB rows, and
    // kept whole under 32 pixels. A BMP and garbage are declined by the
    // reader and probed whole; a missing file ends in the reader; a thin
    // image too large to wait is hashed at once.
    void halvesGiveTheWholeProbe()
    {
        QVERIFY2(!detail::imageHashModuleIfLoaded(), "a test before this one loaded the hash module");
        QStringList fast;
        int n = 0;
        for (const QString &ext : {QStringLiteral(".png"), QStringLiteral(".jpg")})
            for (const cv::Size size : {cv::Size(640, 480), cv::Size(803, 601), cv::Size(40, 33), cv::Size(20, 20), cv::Size(31, 500)})
                for (const bool gray : {false, true}) {
                    cv::Mat scene = drawScene(size.width, size.height, quint32(++n));
                    if (gray)
                        cv::cvtColor(scene, scene, cv::COLOR_BGR2GRAY);
                    fast << path(QStringLiteral("half%1").arg(n) + ext);
                    QVERIFY(writeFile(fast.back(), encode(scene, qPrintable(ext))));
                }
        const QString bmp = path(QStringLiteral("half.bmp"));
        QVERIFY(writeFile(bmp, encode(drawScene(64, 48, 7), ".bmp")));
        const QString garbage = path(QStringLiteral("half-garbage.png"));
        QVERIFY(writeFile(garbage, QByteArray("\x89PNG\r\n\x1a\n not really a PNG at all")));
        const QString missing = path(QStringLiteral("half-missing.png"));

        const auto sameProbe = [](const ImageProbe &got, const ImageProbe &want, const QString &file) {
            const QByteArray where = file.toUtf8();
            QVERIFY2(!got.hashPending, where.constData());
            QVERIFY2(got.failure == want.failure && got.detail == want.detail, qPrintable(file + QStringLiteral(": ") + got.failure + QStringLiteral(" / ") + got.detail));
            QVERIFY2(got.width == want.width && got.height == want.height && got.bytes == want.bytes, where.constData());
            QVERIFY2(got.format == want.format && got.sha256 == want.sha256, where.constData());
            QVERIFY2(got.phash == want.phash, where.constData());
        };

        // Before the hash module loads: every PNG and JPEG waits for its hash.
        QList<ImageProbe> started;
        for (const QString &file : fast) {
            started << startImageProbe(file);
            QVERIFY2(started.back().ok(), qPrintable(file + QStringLiteral(": ") + started.back().detail));
            QVERIFY2(started.back().hashPending && started.back().phash == 0, qPrintable(file));
        }
        QVERIFY(!detail::imageHashModuleIfLoaded());
        ImageProbe gone = startImageProbe(missing);
        QCOMPARE(gone.failure, QStringLiteral("unreadable"));
        QVERIFY(!gone.hashPending);
        QVERIFY(!detail::imageHashModuleIfLoaded());
        // A thin image is kept whole for the hash (31 x 1,000 pixels, 93 KB):
        // over what a probe keeps waiting, so it loads the module and is
        // hashed at once.
        const QString thin = path(QStringLiteral("half-thin.png"));
        QVERIFY(writeFile(thin, encode(drawScene(31, 1000, 99), ".png")));
        const ImageProbe thinProbe = startImageProbe(thin);
        QVERIFY(!thinProbe.hashPending);
        QVERIFY(detail::imageHashModuleIfLoaded());
        {
            QFile f(thin);
            QVERIFY(f.open(QIODevice::ReadOnly));
            sameProbe(thinProbe, probeImageData(f.readAll()), thin);
        }
        for (int i = 0; i < fast.size(); ++i) {
            finishImageProbe(started[i]);
            QFile f(fast[i]);
            QVERIFY(f.open(QIODevice::ReadOnly));
            sameProbe(started[i], probeImageData(f.readAll()), fast[i]);
        }
        QVERIFY(detail::imageHashModuleIfLoaded());
        finishImageProbe(gone);
        sameProbe(gone, probeImageFile(missing), missing);

        // Loaded: the first half hashes at once, and what it declines is
        // probed whole.
        const QStringList every = QStringList(fast) << bmp << garbage << missing;
        for (const QString &file : every) {
            ImageProbe probe = startImageProbe(file);
            QVERIFY2(!probe.hashPending, qPrintable(file));
            QFile f(file);
            sameProbe(probe, f.open(QIODevice::ReadOnly) ? probeImageData(f.readAll()) : probeImageFile(file), file);
        }
    }

    void decodesFormats_data()
    {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("tolerance"); // lossy codecs move pixel values
        QTest::newRow("png") << QStringLiteral(".png") << QStringLiteral("png") << 0;
        QTest::newRow("jpeg") << QStringLiteral(".jpg") << QStringLiteral("jpeg") << 40;
        QTest::newRow("bmp") << QStringLiteral(".bmp") << QStringLiteral("bmp") << 0;
        QTest::newRow("webp") << QStringLiteral(".webp") << QStringLiteral("webp") << 40;
        QTest::newRow("tiff") << QStringLiteral(".tiff") << QStringLiteral("tiff") << 0;
        QTest::newRow("ppm") << QStringLiteral(".ppm") << QStringLiteral("ppm") << 0;
    }
    void decodesFormats()
    {
        QFETCH(QString, ext);
        QFETCH(QString, format);
        QFETCH(int, tolerance);
        if (!cv::haveImageWriter(ext.toStdString()))
            QSKIP(qPrintable(QStringLiteral("this OpenCV has no encoder for ") + ext));
        const cv::Mat scene = drawScene(160, 120, 1);
        const QByteArray bytes = encode(scene, qPrintable(ext));
        QVERIFY(!bytes.isEmpty());
        const QString file = path(QStringLiteral("scene") + ext);
        QVERIFY(writeFile(file, bytes));

        const ImageProbe probe = probeImageFile(file);
        QVERIFY2(probe.ok(), qPrintable(probe.failure + QStringLiteral(": ") + probe.detail));
        QCOMPARE(probe.format, format);
        QCOMPARE(probe.width, 160);
        QCOMPARE(probe.height, 120);
        QCOMPARE(probe.bytes, qint64(bytes.size()));
        QCOMPARE(probe.sha256, QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        QVERIFY(probe.phash != 0);

        Result<QImage> image = loadImageRgb(file);
        QVERIFY2(image.ok(), image.ok() ? "" : qPrintable(image.error().toString()));
        QCOMPARE(image->format(), QImage::Format_RGB888);
        QCOMPARE(image->size(), QSize(160, 120));
        QVERIFY2(near(pixel(*image, 8, 8), qRgb(255, 0, 0), tolerance), describe(pixel(*image, 8, 8)));
        const cv::Vec3b bgr = scene.at<cv::Vec3b>(100, 150);
        QVERIFY2(near(pixel(*image, 150, 100), qRgb(bgr[2], bgr[1], bgr[0]), tolerance),
                 describe(pixel(*image, 150, 100)));
    }

    void gifFirstFrame()
    {
        const int w = 40, h = 30;
        QByteArray first(w * h, '\1'), second(w * h, '\3');
        for (int y = 0; y < h; ++y)
            for (int x = w / 2; x < w; ++x)
                first[y * w + x] = '\2';
        const QByteArray bytes = gif(w, h, {first, second}, {qRgb(0, 0, 0), qRgb(255, 0, 0), qRgb(0, 255, 0), qRgb(0, 0, 255)});
        const QString file = path(QStringLiteral("anim.gif"));
        QVERIFY(writeFile(file, bytes));

        const ImageProbe probe = probeImageFile(file);
        QVERIFY2(probe.ok(), qPrintable(probe.failure + QStringLiteral(": ") + probe.detail));
        QCOMPARE(probe.format, QStringLiteral("gif"));
        QCOMPARE(probe.width, w);
        QCOMPARE(probe.height, h);

        Result<QImage> image = loadImageRgb(file);
        QVERIFY(image.ok());
        QCOMPARE(image->size(), QSize(w, h));
        QCOMPARE(pixel(*image, 0, 0), qRgb(255, 0, 0));     // first frame, left half
        QCOMPARE(pixel(*image, w - 1, h - 1), qRgb(0, 255, 0)); // not the blue second frame
    }

    void transparentAreaBecomesWhite()
    {
        // Left third fully transparent black, middle half-transparent black,
        // right third opaque blue.
        cv::Mat bgra(60, 90, CV_8UC4, cv::Scalar(0, 0, 0, 0));
        bgra(cv::Rect(30, 0, 30, 60)).setTo(cv::Scalar(0, 0, 0, 128));
        bgra(cv::Rect(60, 0, 30, 60)).setTo(cv::Scalar(255, 0, 0, 255));
        const QString file = path(QStringLiteral("alpha.png"));
        QVERIFY(writeFile(file, encode(bgra, ".png")));

        Result<QImage> image = loadImageRgb(file);
        QVERIFY(image.ok());
        QCOMPARE(pixel(*image, 5, 30), qRgb(255, 255, 255));
        QVERIFY2(near(pixel(*image, 45, 30), qRgb(127, 127, 127), 1), describe(pixel(*image, 45, 30)));
        QCOMPARE(pixel(*image, 80, 30), qRgb(0, 0, 255));

        // The hash sees the composited image: same as the opaque picture.
        cv::Mat opaque(60, 90, CV_8UC3, cv::Scalar(255, 255, 255));
        opaque(cv::Rect(30, 0, 30, 60)).setTo(cv::Scalar(127, 127, 127));
        opaque(cv::Rect(60, 0, 30, 60)).setTo(cv::Scalar(255, 0, 0));
        const ImageProbe a = probeImageFile(file);
        const ImageProbe b = probeImageData(encode(opaque, ".png"));
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(hammingDistance(a.phash, b.phash), 0);
    }

    void grayscaleAndSixteenBit_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<double>("v0");
        QTest::addColumn<double>("v1");
        QTest::addColumn<double>("v2");
        QTest::addColumn<double>("v3");
        QTest::addColumn<QRgb>("expected");
        QTest::newRow("gray8") << CV_8UC1 << 77.0 << 0.0 << 0.0 << 0.0 << qRgb(77, 77, 77);
        QTest::newRow("gray16") << CV_16UC1 << double(77 * 257) << 0.0 << 0.0 << 0.0 << qRgb(77, 77, 77);
        QTest::newRow("bgr16") << CV_16UC3 << 65535.0 << double(128 * 257) << 0.0 << 0.0 << qRgb(0, 128, 255);
        QTest::newRow("bgra16 transparent") << CV_16UC4 << 0.0 << 0.0 << 0.0 << 0.0 << qRgb(255, 255, 255);
        QTest::newRow("bgra16 opaque") << CV_16UC4 << 0.0 << 65535.0 << 0.0 << 65535.0 << qRgb(0, 255, 0);
    }
    void grayscaleAndSixteenBit()
    {
        QFETCH(int, type);
        QFETCH(double, v0);
        QFETCH(double, v1);
        QFETCH(double, v2);
        QFETCH(double, v3);
        QFETCH(QRgb, expected);
        const cv::Mat m(20, 30, type, cv::Scalar(v0, v1, v2, v3));
        const QByteArray bytes = encode(m, ".png");
        QVERIFY(!bytes.isEmpty());
        // Check the fixture really has that layout (OpenCV keeps it on read).
        const cv::Mat back = cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_UNCHANGED);
        QCOMPARE(back.type(), type);

        const ImageProbe probe = probeImageData(bytes);
        QVERIFY2(probe.ok(), qPrintable(probe.detail));
        QCOMPARE(probe.width, 30);
        QCOMPARE(probe.height, 20);
        Result<QImage> image = decodeImageRgb(bytes);
        QVERIFY(image.ok());
        QCOMPARE(image->format(), QImage::Format_RGB888);
        QVERIFY2(near(pixel(*image, 10, 10), expected, 1), describe(pixel(*image, 10, 10)));
    }

    void unreadable()
    {
        const QString empty = path(QStringLiteral("empty.png"));
        QVERIFY(writeFile(empty, {}));
        ImageProbe probe = probeImageFile(empty);
        QCOMPARE(probe.failure, QStringLiteral("unreadable"));
        QCOMPARE(probe.bytes, qint64(0));
        QVERIFY(!probe.detail.isEmpty());
        Result<QImage> image = loadImageRgb(empty);
        QVERIFY(!image.ok());
        QCOMPARE(image.error().code, ErrorCode::IoError);
        QVERIFY(image.error().message.startsWith(QLatin1String("unreadable")));

        probe = probeImageFile(path(QStringLiteral("missing.png")));
        QCOMPARE(probe.failure, QStringLiteral("unreadable"));
        QVERIFY2(probe.detail.contains(QLatin1String("no such file")), qPrintable(probe.detail));
        image = loadImageRgb(path(QStringLiteral("missing.png")));
        QVERIFY(!image.ok());
        QCOMPARE(image.error().code, ErrorCode::NotFound);
        QCOMPARE(image.error().context, path(QStringLiteral("missing.png")));

        probe = probeImageFile(m_dir.path()); // a directory
        QCOMPARE(probe.failure, QStringLiteral("unreadable"));
    }

    // Issue 11: two 2 GB image files took 4 GB of memory and aborted extract
    // on every rerun. A file over the limit is refused before it is read.
    void oversizedFileIsRefusedBeforeReading()
    {
        const QString huge = path(QStringLiteral("huge.png"));
        QFile f(huge);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.write(encode(drawScene(64, 48, 3), ".png")) > 0);
        QVERIFY(f.resize(2LL * 1024 * 1024 * 1024)); // sparse: no disk or memory spent here
        f.close();
        QElapsedTimer clock;
        clock.start();
        ImageProbe probe = probeImageFile(huge);
        QCOMPARE(probe.failure, QStringLiteral("too_large"));
        QCOMPARE(probe.bytes, 2LL * 1024 * 1024 * 1024);
        QVERIFY2(probe.detail.contains(QLatin1String("extract.max_file_bytes")), qPrintable(probe.detail));
        Result<QImage> image = loadImageRgb(huge);
        QVERIFY(!image.ok());
        QCOMPARE(image.error().code, ErrorCode::Unsupported);
        QVERIFY(image.error().message.startsWith(QLatin1String("too_large")));
        QVERIFY(clock.elapsed() < 2000); // nothing was read

        // The limit is an option: exactly at it is fine, one byte over is not.
        const QString small = path(QStringLiteral("small.png"));
        const QByteArray png = encode(drawScene(64, 48, 3), ".png");
        QVERIFY(writeFile(small, png));
        ProbeOptions opts;
        opts.maxFileBytes = png.size();
        QVERIFY(probeImageFile(small, opts).ok());
        QVERIFY(loadImageRgb(small, opts).ok());
        opts.maxFileBytes = png.size() - 1;
        QCOMPARE(probeImageFile(small, opts).failure, QStringLiteral("too_large"));

        // A file whose size says nothing (a character device reads forever
        // with size 0) is read only to the limit, then refused; the bytes
        // of a regular file arrive whole.
        opts.maxFileBytes = 1 << 20;
        ImageProbe endless = probeImageFile(QStringLiteral("/dev/zero"), opts);
        QCOMPARE(endless.failure, QStringLiteral("too_large"));
        QVERIFY2(endless.detail.contains(QStringLiteral("%1 bytes").arg((1 << 20) + 1)), qPrintable(endless.detail));
        opts.maxFileBytes = 256 << 20;
        const ImageProbe whole = probeImageFile(small, opts);
        QVERIFY(whole.ok());
        QCOMPARE(whole.bytes, qint64(png.size()));
    }

    void truncated_data()
    {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<bool>("progressive");
        QTest::addColumn<int>("keepBytes"); // < 0: keep size + keepBytes bytes
        QTest::newRow("png half") << QStringLiteral(".png") << false << 0;
        QTest::newRow("png minus IEND") << QStringLiteral(".png") << false << -12;
        QTest::newRow("jpeg half") << QStringLiteral(".jpg") << false << 0;
        QTest::newRow("jpeg minus EOI") << QStringLiteral(".jpg") << false << -2;
        QTest::newRow("progressive jpeg half") << QStringLiteral(".jpg") << true << 0;
    }
    void truncated()
    {
        QFETCH(QString, ext);
        QFETCH(bool, progressive);
        QFETCH(int, keepBytes);
        const std::vector<int> params = progressive ? std::vector<int>{cv::IMWRITE_JPEG_PROGRESSIVE, 1}
                                                    : std::vector<int>{};
        const QByteArray full = encode(drawScene(320, 240, 3), qPrintable(ext), params);
        QVERIFY(probeImageData(full).ok());
        const QByteArray cut = full.left(keepBytes < 0 ? full.size() + keepBytes : full.size() / 2);

        // What OpenCV alone does with it, for the record: libjpeg returns a
        // partly grey image for a truncated JPEG; libpng gives up.
        const cv::Mat raw = cv::imdecode(std::vector<uchar>(cut.begin(), cut.end()), cv::IMREAD_UNCHANGED);
        qInfo("%s cut to %lld of %lld bytes: cv::imdecode alone %s", QTest::currentDataTag(),
              qlonglong(cut.size()), qlonglong(full.size()), raw.empty() ? "fails" : "returns an image");

        const ImageProbe probe = probeImageData(cut);
        QCOMPARE(probe.failure, QStringLiteral("decode_failed"));
        QCOMPARE(probe.width, 320); // the header survived the cut
        QCOMPARE(probe.height, 240);
        if (ext == QLatin1String(".jpg"))
            QVERIFY2(probe.detail.contains(QLatin1String("truncated")), qPrintable(probe.detail));
        Result<QImage> image = decodeImageRgb(cut);
        QVERIFY(!image.ok());
        QCOMPARE(image.error().code, ErrorCode::ParseError);
    }

    void jpegWithTrailingBytesIsFine()
    {
        // Bytes after EOI (camera padding, appended data) must not look truncated.
        QByteArray bytes = encode(drawScene(64, 48, 5), ".jpg");
        bytes.append(QByteArray(100, '\xff'));
        bytes.append("trailing junk");
        const ImageProbe probe = probeImageData(bytes);
        QVERIFY2(probe.ok(), qPrintable(probe.detail));
        QCOMPARE(probe.width, 64);
    }

    void garbage_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        std::mt19937 rng(1234);
        QByteArray random(4096, '\0');
        for (char &c : random)
            c = char(rng() & 0xff);
        QTest::newRow("random") << random;
        QTest::newRow("png signature + random") << QByteArray("\x89PNG\r\n\x1a\n", 8) + random;
        QTest::newRow("jpeg SOI + random") << QByteArray("\xff\xd8\xff\xe0", 4) + random;
        QTest::newRow("gif header + random") << QByteArray("GIF89a\x0a\x00\x0a\x00", 10) + random;
        QTest::newRow("webp riff + random") << QByteArray("RIFF\x00\x10\x00\x00WEBPVP8 ", 16) + random;
        QTest::newRow("bmp header + random") << QByteArray("BM") + random;
        QTest::newRow("tiff header + random") << QByteArray("MM\0*", 4) + random;
        QTest::newRow("text") << QByteArray("<html><body>not an image</body></html>");
        QTest::newRow("one byte") << QByteArray("\x89", 1);
    }
    void garbage()
    {
        QFETCH(QByteArray, bytes);
        const ImageProbe probe = probeImageData(bytes);
        QCOMPARE(probe.failure, QStringLiteral("decode_failed"));
        QVERIFY(!probe.detail.isEmpty());
        QCOMPARE(probe.bytes, qint64(bytes.size()));
        QCOMPARE(probe.sha256.size(), 64);
        Result<QImage> image = decodeImageRgb(bytes);
        QVERIFY(!image.ok());
        QVERIFY2(image.error().message.startsWith(QLatin1String("decode_failed")), qPrintable(image.error().message));
    }

    void mutatedFilesNeverCrash_data()
    {
        QTest::addColumn<QString>("ext");
        for (const char *ext : {".png", ".jpg", ".bmp", ".webp", ".tiff", ".gif"})
            QTest::newRow(ext + 1) << QString::fromLatin1(ext);
    }
    void mutatedFilesNeverCrash()
    {
        // Seeded byte flips and cuts of valid files: every outcome must be a
        // usable image or one of the documented reason keys.
        QFETCH(QString, ext);
        const QByteArray valid = ext == QLatin1String(".gif")
            ? gif(40, 30, {QByteArray(40 * 30, '\1')}, {qRgb(0, 0, 0), qRgb(255, 0, 0)})
            : encode(drawScene(96, 64, 9), qPrintable(ext));
        QVERIFY(!valid.isEmpty());
        QVERIFY(probeImageData(valid).ok());
        const QStringList keys{QString(), QStringLiteral("unreadable"), QStringLiteral("too_many_pixels"),
                               QStringLiteral("decode_failed")};
        std::mt19937 rng(77);
        QMap<QString, int> outcomes;
        for (int round = 0; round < 150; ++round) {
            QByteArray bytes = valid;
            const int flips = 1 + int(rng() % 8);
            for (int f = 0; f < flips; ++f)
                bytes[int(rng() % unsigned(bytes.size()))] = char(rng() & 0xff);
            const bool cut = round % 3 == 0;
            if (cut)
                bytes.truncate(int(rng() % unsigned(bytes.size())));
            const ImageProbe probe = probeImageData(bytes);
            QVERIFY2(keys.contains(probe.failure), qPrintable(probe.failure));
            // For these formats a cut file is never passed off as an image
            // (GIF and TIFF may decode partially: see the header).
            if (cut && (ext == QLatin1String(".png") || ext == QLatin1String(".jpg") || ext == QLatin1String(".bmp")))
                QVERIFY2(!probe.ok(), qPrintable(QString::number(bytes.size())));
            QVERIFY(probe.ok() || !probe.detail.isEmpty());
            Result<QImage> image = decodeImageRgb(bytes, {}, 32);
            QCOMPARE(image.ok(), probe.ok());
            if (image.ok())
                QVERIFY(image->width() <= 32 && image->height() <= 32 && !image->isNull());
            ++outcomes[probe.failure.isEmpty() ? QStringLiteral("ok") : probe.failure];
        }
        QString summary;
        for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it)
            summary += it.key() + QLatin1Char('=') + QString::number(it.value()) + QLatin1Char(' ');
        qInfo("%s", qPrintable(summary));
    }

    void decompressionBombs_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("png 100000x100000") << pngBomb(100000, 100000) << QStringLiteral("png") << 100000 << 100000;
        QTest::newRow("png 9460x9460") << pngBomb(9460, 9460) << QStringLiteral("png") << 9460 << 9460; // 89.49M px
        QTest::newRow("jpeg 60000x50000") << jpegBomb(60000, 50000) << QStringLiteral("jpeg") << 60000 << 50000;
        QByteArray webp("RIFF");
        QByteArray body("WEBPVP8X");
        body.append(QByteArray("\x0a\x00\x00\x00\x00\x00\x00\x00", 8));
        appendLe24(body, 20000 - 1);
        appendLe24(body, 30000 - 1);
        QByteArray size;
        appendLe16(size, quint32(body.size()));
        appendLe16(size, 0);
        webp += size + body;
        QTest::newRow("webp VP8X 20000x30000") << webp << QStringLiteral("webp") << 20000 << 30000;
        // Little-endian TIFF, one IFD: ImageWidth LONG 50000, ImageLength SHORT 40000.
        QByteArray tiff("II*\0\x08\0\0\0", 8);
        appendLe16(tiff, 2);
        tiff += QByteArray("\x00\x01\x04\x00\x01\x00\x00\x00", 8);
        appendLe16(tiff, 50000);
        appendLe16(tiff, 0);
        tiff += QByteArray("\x01\x01\x03\x00\x01\x00\x00\x00", 8);
        appendLe16(tiff, 40000);
        appendLe16(tiff, 0);
        tiff += QByteArray(4, '\0');
        // Qt allocates the GIF logical screen, not the frame: a small frame on a
        // 30000x30000 screen must be refused.
        QByteArray gifBomb = gif(40, 30, {QByteArray(40 * 30, '\1')}, {qRgb(0, 0, 0), qRgb(255, 0, 0)});
        gifBomb[6] = char(30000 & 0xff);
        gifBomb[7] = char(30000 >> 8);
        gifBomb[8] = char(30000 & 0xff);
        gifBomb[9] = char(30000 >> 8);
        QTest::newRow("gif screen 30000x30000") << gifBomb << QStringLiteral("gif") << 30000 << 30000;
        QTest::newRow("tiff 50000x40000") << tiff << QStringLiteral("tiff") << 50000 << 40000;
    }
    void decompressionBombs()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, format);
        QFETCH(int, width);
        QFETCH(int, height);
        const long before = peakRssKiB();
        const ImageProbe probe = probeImageData(bytes);
        Result<QImage> image = decodeImageRgb(bytes);
        const long grownMiB = (peakRssKiB() - before) / 1024;
        QCOMPARE(probe.failure, QStringLiteral("too_many_pixels"));
        QCOMPARE(probe.format, format);
        QCOMPARE(probe.width, width);
        QCOMPARE(probe.height, height);
        QVERIFY2(probe.detail.contains(QStringLiteral("%1x%2").arg(width).arg(height)), qPrintable(probe.detail));
        QVERIFY2(probe.detail.contains(QLatin1String("89478485")), qPrintable(probe.detail));
        QVERIFY(!image.ok());
        QCOMPARE(image.error().code, ErrorCode::Unsupported);
        QVERIFY2(grownMiB < 32, qPrintable(QString::number(grownMiB)));
    }

    // PNG and JPEG take the fast decoders' own header, which must refuse an
    // image one pixel over the limit as the general way does.
    void pixelLimitIsAnOption_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::addColumn<QString>("format");
        QTest::newRow("png") << QStringLiteral(".png") << QStringLiteral("png");
        QTest::newRow("jpeg") << QStringLiteral(".jpg") << QStringLiteral("jpeg");
        QTest::newRow("bmp") << QStringLiteral(".bmp") << QStringLiteral("bmp");
    }
    void pixelLimitIsAnOption()
    {
        QFETCH(QString, extension);
        QFETCH(QString, format);
        const QByteArray bytes = encode(drawScene(640, 480, 2), extension.toLatin1().constData());
        ProbeOptions opts;
        opts.maxPixels = 640 * 480 - 1;
        ImageProbe probe = probeImageData(bytes, opts);
        QCOMPARE(probe.failure, QStringLiteral("too_many_pixels"));
        QCOMPARE(probe.detail, QStringLiteral("header says 640x480 (307200 px) > limit 307199"));
        QCOMPARE(probe.format, format);
        QCOMPARE(probe.width, 640);
        QCOMPARE(probe.phash, quint64(0));
        opts.maxPixels = 640 * 480;
        probe = probeImageData(bytes, opts);
        QVERIFY(probe.ok());
        QCOMPARE(probe.format, format);
        QCOMPARE(probe.width, 640);
        QCOMPARE(probe.height, 480);
    }

    void identicalBytesShareSha256()
    {
        const QByteArray a = encode(drawScene(64, 64, 7), ".png");
        const QByteArray b = encode(drawScene(64, 64, 8), ".png");
        QVERIFY(writeFile(path(QStringLiteral("a1.png")), a));
        QVERIFY(writeFile(path(QStringLiteral("a2.png")), a));
        QVERIFY(writeFile(path(QStringLiteral("b.png")), b));
        const ImageProbe a1 = probeImageFile(path(QStringLiteral("a1.png")));
        const ImageProbe a2 = probeImageFile(path(QStringLiteral("a2.png")));
        const ImageProbe pb = probeImageFile(path(QStringLiteral("b.png")));
        QCOMPARE(a1.sha256.size(), 64);
        QCOMPARE(a1.sha256, a2.sha256);
        QVERIFY(a1.sha256 != pb.sha256);
        QCOMPARE(a1.phash, a2.phash);
    }

    void perceptualHashTracksContent()
    {
        const cv::Mat scene = drawScene(640, 480, 11);
        cv::Mat smaller;
        cv::resize(scene, smaller, cv::Size(500, 375), 0, 0, cv::INTER_AREA);
        const ImageProbe original = probeImageData(encode(scene, ".png"));
        const ImageProbe copy = probeImageData(encode(smaller, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 75}));
        cv::Mat quarter;
        cv::resize(scene, quarter, cv::Size(200, 150), 0, 0, cv::INTER_AREA);
        const ImageProbe small = probeImageData(encode(quarter, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 40}));
        const ImageProbe other = probeImageData(encode(drawScene(640, 480, 12), ".png"));
        const ImageProbe otherSeed = probeImageData(encode(drawScene(640, 480, 21), ".png"));
        QVERIFY(original.ok() && copy.ok() && small.ok() && other.ok() && otherSeed.ok());
        const int same = hammingDistance(original.phash, copy.phash);
        const int sameSmall = hammingDistance(original.phash, small.phash);
        const int diff = hammingDistance(original.phash, other.phash);
        const int diff2 = hammingDistance(original.phash, otherSeed.phash);
        qInfo("phash distance: 500x375 JPEG q75 copy %d, 200x150 JPEG q40 copy %d, different scenes %d and %d", same,
              sameSmall, diff, diff2);
        QVERIFY2(same <= 8, qPrintable(QString::number(same)));
        QVERIFY2(sameSmall <= 8, qPrintable(QString::number(sameSmall)));
        QVERIFY2(diff >= 16, qPrintable(QString::number(diff)));
        QVERIFY2(diff2 >= 16, qPrintable(QString::number(diff2)));
    }

    // The probe's hash is PHash of the whole image area-averaged to 32x32,
    // whichever way its rows reach the average: as B, G, R, or as an 8-bit
    // RGB PNG's R, G, B (swapped at the end), through the whole-number
    // scale, the fractional one, or (under 32 pixels) cv::resize itself.
    void perceptualHashIsTheWholeImageHash_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<QString>("kind");
        for (const QString &kind : {QStringLiteral("rgb png"), QStringLiteral("gray png"), QStringLiteral("jpeg")})
            for (const cv::Size size : {cv::Size(640, 480), cv::Size(803, 601), cv::Size(40, 33), cv::Size(20, 20)})
                QTest::addRow("%s %dx%d", qPrintable(kind), size.width, size.height) << size.width << size.height << kind;
    }

    void perceptualHashIsTheWholeImageHash()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(QString, kind);
        cv::Mat scene = drawScene(width, height, quint32(width + height));
        // Noise on top, so that the swapped channels differ everywhere.
        cv::Mat noise(scene.size(), scene.type());
        cv::randu(noise, 0, 64);
        scene += noise;
        if (kind == QLatin1String("gray png"))
            cv::cvtColor(scene, scene, cv::COLOR_BGR2GRAY);
        const QByteArray bytes = encode(scene, kind == QLatin1String("jpeg") ? ".jpg" : ".png");
        const ImageProbe probe = probeImageData(bytes);
        QVERIFY2(probe.ok(), qPrintable(probe.detail));

        const cv::Mat decoded = cv::imdecode(cv::Mat(1, int(bytes.size()), CV_8U, const_cast<char *>(bytes.constData())),
                                             cv::IMREAD_COLOR);
        cv::Mat small, hash;
        cv::resize(decoded, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
        cv::img_hash::PHash::create()->compute(small, hash);
        quint64 expected = 0;
        for (int i = 0; i < 8; ++i)
            expected = expected << 8 | hash.ptr<uchar>(0)[i];
        QCOMPARE(probe.phash, expected);
    }

    void maxSideDownsizes_data()
    {
        QTest::addColumn<int>("maxSide");
        QTest::addColumn<QSize>("expected");
        QTest::newRow("no limit") << 0 << QSize(640, 480);
        QTest::newRow("100") << 100 << QSize(100, 75);
        QTest::newRow("exact") << 640 << QSize(640, 480);
        QTest::newRow("never enlarges") << 2000 << QSize(640, 480);
        QTest::newRow("tiny") << 1 << QSize(1, 1);
    }
    void maxSideDownsizes()
    {
        QFETCH(int, maxSide);
        QFETCH(QSize, expected);
        Result<QImage> image = decodeImageRgb(encode(drawScene(640, 480, 4), ".png"), {}, maxSide);
        QVERIFY(image.ok());
        QCOMPARE(image->size(), expected);
        QCOMPARE(image->format(), QImage::Format_RGB888);
        // A portrait image keeps its aspect too.
        Result<QImage> tall = decodeImageRgb(encode(drawScene(90, 300, 4), ".png"), {}, 100);
        QVERIFY(tall.ok());
        QCOMPARE(tall->size(), QSize(30, 100));
    }

    void hamming()
    {
        QCOMPARE(hammingDistance(0, 0), 0);
        QCOMPARE(hammingDistance(0, ~quint64(0)), 64);
        QCOMPARE(hammingDistance(0xf0, 0x0f), 8);
    }
};

QTEST_GUILESS_MAIN(TestImageProbe)
#include "test_imageprobe.moc"
