// ClipPreprocess against CLIP's reference pipeline (PIL bicubic resize,
// torchvision centre crop, ToTensor, Normalize), computed by
// clip_reference_preprocess.py with Debian's python3-torch.
#include "plugins/encoder_torchscript/clippreprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <vector>

using namespace rs;

namespace {

// A photo-like test card: smooth gradients, hard edges, fine stripes and
// noise, so resampling differences show.
QImage testCard(int w, int h, quint32 seed)
{
    QImage img(w, h, QImage::Format_RGB888);
    QRandomGenerator rng(seed);
    for (int y = 0; y < h; ++y) {
        uchar *row = img.scanLine(y);
        for (int x = 0; x < w; ++x) {
            int r = 255 * x / std::max(w - 1, 1);
            int g = 255 * y / std::max(h - 1, 1);
            int b = ((x / 7 + y / 5) % 2) ? 230 : 20;
            if (x > w / 3 && x < w / 2 && y > h / 4 && y < h / 2)
                r = g = 255;
            if ((x % 3) == 0 && y > 2 * h / 3)
                b = 0;
            const int noise = int(rng.bounded(31)) - 15;
            row[3 * x + 0] = uchar(std::clamp(r + noise, 0, 255));
            row[3 * x + 1] = uchar(std::clamp(g - noise, 0, 255));
            row[3 * x + 2] = uchar(std::clamp(b + noise, 0, 255));
        }
    }
    return img;
}

bool writePpm(const QImage &img, const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(QStringLiteral("P6\n%1 %2\n255\n").arg(img.width()).arg(img.height()).toLatin1());
    for (int y = 0; y < img.height(); ++y)
        f.write(reinterpret_cast<const char *>(img.constScanLine(y)), 3 * img.width());
    return true;
}

std::vector<float> readFloats(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    std::vector<float> v(size_t(bytes.size()) / sizeof(float));
    std::memcpy(v.data(), bytes.constData(), v.size() * sizeof(float));
    return v;
}

} // namespace

class TestClipPreprocess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("size");
        QTest::newRow("landscape 640x480 -> 224") << 640 << 480 << 224;
        QTest::newRow("portrait 300x517 -> 224") << 300 << 517 << 224;
        QTest::newRow("panorama 1000x333 -> 224") << 1000 << 333 << 224;
        QTest::newRow("exact 224x224") << 224 << 224 << 224;
        QTest::newRow("upscale 100x80 -> 224") << 100 << 80 << 224;
        QTest::newRow("odd crop 231x224 -> 224") << 231 << 224 << 224;
        QTest::newRow("small model 640x480 -> 32") << 640 << 480 << 32;
    }
    void matchesReference()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, size);
        const QString python = qEnvironmentVariable("REALSYN_PYTHON", QStringLiteral("/usr/bin/python3"));
        const QString script = qEnvironmentVariable("REALSYN_REFERENCE_SCRIPT");
        if (script.isEmpty() || !QFile::exists(python))
            QSKIP("no reference: REALSYN_REFERENCE_SCRIPT or /usr/bin/python3 missing (run through CTest)");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QImage img = testCard(width, height, quint32(width * 31 + height));
        QVERIFY(writePpm(img, tmp.filePath(QStringLiteral("in.ppm"))));
        QProcess proc;
        proc.start(python, {script, tmp.filePath(QStringLiteral("in.ppm")), QString::number(size),
                            tmp.filePath(QStringLiteral("aa.f32")), tmp.filePath(QStringLiteral("cubic.f32")),
                            tmp.filePath(QStringLiteral("pil.f32"))});
        QVERIFY(proc.waitForFinished(120000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        const std::vector<float> ref = readFloats(tmp.filePath(QStringLiteral("aa.f32")));
        const std::vector<float> cubic = readFloats(tmp.filePath(QStringLiteral("cubic.f32")));
        const std::vector<float> pil = readFloats(tmp.filePath(QStringLiteral("pil.f32")));

        const ClipPreprocess prep(ClipPreprocessConfig{size, {0.48145466f, 0.4578275f, 0.40821073f},
                                                       {0.26862954f, 0.26130258f, 0.27577711f}});
        std::vector<float> ours(size_t(prep.floatsPerImage()));
        QVERIFY(prep.run(img, ours.data()));
        QCOMPARE(ref.size(), ours.size());
        QCOMPARE(cubic.size(), ours.size());
        QCOMPARE(pil.size(), ours.size());

        // Differences in 8-bit grey levels (one level is 1/(255*std) after
        // Normalize); the channel's own std undoes the scaling.
        const float stds[3] = {0.26862954f, 0.26130258f, 0.27577711f};
        const size_t plane = size_t(size) * size_t(size);
        auto levels = [&](const std::vector<float> &a, size_t i) { return std::abs(ours[i] - a[i]) * 255.0 * stds[i / plane]; };
        double maxPil = 0, maxRef = 0, meanRef = 0, maxCubic = 0;
        size_t pilMismatch = 0;
        for (size_t i = 0; i < ours.size(); ++i) {
            maxPil = std::max(maxPil, levels(pil, i));
            pilMismatch += levels(pil, i) > 0.5;
            maxRef = std::max(maxRef, levels(ref, i));
            meanRef += levels(ref, i);
            maxCubic = std::max(maxCubic, levels(cubic, i));
        }
        meanRef /= double(ours.size());
        const double pilMismatchShare = double(pilMismatch) / double(ours.size());
        qInfo("%dx%d -> %d, max |diff| in grey levels: vs PIL-order emulation %.2f (%.3f%% of values differ); "
              "vs one-pass float (torchvision tensor path) %.2f (mean %.3f); plain bicubic/OpenCV INTER_CUBIC vs one-pass %.1f",
              width, height, size, maxPil, 100.0 * pilMismatchShare, maxRef, meanRef, maxCubic);
        // Against PIL's order of work only fixed-point vs float rounding
        // remains: a level at a few ties (two when upscaling, where the
        // kernel's negative lobes amplify an intermediate tie).
        QVERIFY2(maxPil <= 2.01, qPrintable(QString::number(maxPil)));
        QVERIFY2(pilMismatchShare < 0.01, qPrintable(QString::number(pilMismatchShare)));
        // The one-pass reference differs where PIL clips bicubic overshoot
        // between its passes: a few edge pixels, a small mean.
        QVERIFY2(meanRef < 0.3, qPrintable(QString::number(meanRef)));
        if (width > 2 * size)
            QVERIFY2(maxCubic > 5 * std::max(maxRef, 1.0), "the antialiasing should matter when shrinking");
    }

    void constantImageStaysConstant()
    {
        QImage img(500, 300, QImage::Format_RGB888);
        img.fill(QColor(200, 100, 50));
        const QImage out = ClipPreprocess::resizeShorterSide(img, 224);
        QCOMPARE(out.size(), QSize(373, 224)); // int(224 * 500 / 300) = 373
        for (int y = 0; y < out.height(); y += 17)
            for (int x = 0; x < out.width(); x += 13)
                QCOMPARE(out.pixelColor(x, y), QColor(200, 100, 50));
    }

    void cropOffsetsRoundHalfToEven_data()
    {
        QTest::addColumn<int>("extra");
        QTest::addColumn<int>("expectedTop");
        QTest::newRow("1 extra row: round(0.5) = 0") << 1 << 0;
        QTest::newRow("3 extra rows: round(1.5) = 2") << 3 << 2;
        QTest::newRow("5 extra rows: round(2.5) = 2") << 5 << 2;
        QTest::newRow("6 extra rows: 3") << 6 << 3;
    }
    void cropOffsetsRoundHalfToEven()
    {
        QFETCH(int, extra);
        QFETCH(int, expectedTop);
        QImage img(8, 8 + extra, QImage::Format_RGB888);
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < 8; ++x)
                img.setPixelColor(x, y, QColor(y, 0, 0));
        const QImage crop = ClipPreprocess::centerCrop(img, 8);
        QCOMPARE(crop.size(), QSize(8, 8));
        QCOMPARE(crop.pixelColor(0, 0).red(), expectedTop);
    }

    void normalisationAndLayout()
    {
        QImage img(4, 4, QImage::Format_RGB888);
        img.fill(QColor(255, 0, 128));
        const ClipPreprocess prep(ClipPreprocessConfig{4, {0.5f, 0.5f, 0.5f}, {0.5f, 0.25f, 1.0f}});
        std::vector<float> out(size_t(prep.floatsPerImage()));
        QVERIFY(prep.run(img, out.data()));
        QCOMPARE(out[0], 1.0f);                      // R plane: (1 - 0.5) / 0.5
        QCOMPARE(out[16], -2.0f);                    // G plane: (0 - 0.5) / 0.25
        QVERIFY(std::abs(out[32] - (128.0f / 255.0f - 0.5f)) < 1e-6f); // B plane
    }

    void nullImageGivesZeros()
    {
        const ClipPreprocess prep(ClipPreprocessConfig{8});
        std::vector<float> out(size_t(prep.floatsPerImage()), 7.0f);
        QVERIFY(!prep.run(QImage(), out.data()));
        QCOMPARE(out.front(), 0.0f);
        QCOMPARE(out.back(), 0.0f);
    }
};

QTEST_GUILESS_MAIN(TestClipPreprocess)
#include "test_clippreprocess.moc"
