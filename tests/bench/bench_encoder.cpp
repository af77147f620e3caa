// Images/s of the TorchScript encoder on a ViT-B/32-shaped random-weight
// CLIP: end to end (JPEG decode + CLIP preprocessing + model, with decoding
// and preprocessing of the next batch overlapped with the model) against the
// model alone on premade tensors, plus the serial pipeline and the CPU side
// alone. Median of REALSYN_BENCH_REPEATS (3) runs. Figures: RESULTS.md.
#include "plugins/encoder_torchscript/clippreprocess.h"
#include "plugins/encoder_torchscript/torchscriptencoder.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFuture>
#include <QImageReader>
#include <QImageWriter>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

using namespace rs;

namespace {

// Photo-like 640x480 content (smooth gradients + texture), so the JPEGs have
// realistic sizes and decode costs.
QByteArray makeJpeg(quint32 seed)
{
    QImage img(640, 480, QImage::Format_RGB888);
    QRandomGenerator rng(seed);
    const double fx = 0.01 + rng.bounded(0.05), fy = 0.01 + rng.bounded(0.05);
    for (int y = 0; y < img.height(); ++y) {
        uchar *row = img.scanLine(y);
        for (int x = 0; x < img.width(); ++x) {
            row[3 * x + 0] = uchar(127 + 120 * std::sin(fx * x + seed));
            row[3 * x + 1] = uchar(127 + 120 * std::cos(fy * y));
            row[3 * x + 2] = uchar((x ^ y) & 0xff);
        }
    }
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    QImageWriter writer(&buf, "jpeg");
    writer.setQuality(90);
    writer.write(img);
    return bytes;
}

QList<QImage> decode(const QList<QByteArray> &jpegs, qsizetype begin, qsizetype end)
{
    QList<QImage> out;
    for (qsizetype i = begin; i < end; ++i)
        out << QImage::fromData(jpegs[i], "JPG").convertToFormat(QImage::Format_RGB888);
    return out;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

class BenchEncoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void imagesPerSecond()
    {
        const QString dir = qEnvironmentVariable("REALSYN_BENCH_CLIP");
        if (dir.isEmpty())
            QSKIP("REALSYN_BENCH_CLIP is not set (run through CTest: fixture export_bench_clip)");
        QVERIFY(QImageReader::supportedImageFormats().contains("jpeg"));
        const int n = qEnvironmentVariableIntValue("REALSYN_BENCH_IMAGES") > 0
            ? qEnvironmentVariableIntValue("REALSYN_BENCH_IMAGES") : 64;
        const int repeats = qEnvironmentVariableIntValue("REALSYN_BENCH_REPEATS") > 0
            ? qEnvironmentVariableIntValue("REALSYN_BENCH_REPEATS") : 3;
        const int batch = 16;

        auto opened = TorchScriptEncoder::open(dir, {{QStringLiteral("batch"), batch}});
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
        TorchScriptEncoder &enc = *opened.value();
        QCOMPARE(enc.imageSize(), 224);

        QList<QByteArray> jpegs;
        for (int i = 0; i < n; ++i)
            jpegs << makeJpeg(quint32(i));

        const ClipPreprocess prep(ClipPreprocessConfig{enc.imageSize()});
        const qsizetype per = prep.floatsPerImage();
        std::vector<float> premade(size_t(n) * size_t(per));
        {
            const QList<QImage> imgs = decode(jpegs, 0, n);
            for (int i = 0; i < n; ++i)
                prep.run(imgs[i], premade.data() + qsizetype(i) * per);
        }
        // Warm-up: first forwards allocate and pick kernels.
        QVERIFY(enc.encodePixels(premade.data(), batch).ok());

        QList<double> modelOnly, pipelined, serial, cpuSide;
        for (int r = 0; r < repeats; ++r) {
            QElapsedTimer t;

            t.start();
            for (int b = 0; b < n; b += batch)
                QVERIFY(enc.encodePixels(premade.data() + qsizetype(b) * per, std::min(batch, n - b)).ok());
            modelOnly << n / (t.nsecsElapsed() * 1e-9);

            // End to end, overlapped: batch i+1 is decoded on a pool thread
            // while encodeImages runs batch i (which itself preprocesses its
            // next chunk in the background).
            t.start();
            JobContext ctx;
            QFuture<QList<QImage>> next = QtConcurrent::run(decode, jpegs, qsizetype(0), qsizetype(std::min(batch, n)));
            for (int b = 0; b < n; b += batch) {
                const QList<QImage> imgs = next.takeResult();
                const int e = std::min(b + batch, n);
                if (e < n)
                    next = QtConcurrent::run(decode, jpegs, qsizetype(e), qsizetype(std::min(e + batch, n)));
                QVERIFY(enc.encodeImages(imgs, ctx).ok());
            }
            pipelined << n / (t.nsecsElapsed() * 1e-9);

            // End to end, strictly one step after another.
            t.start();
            std::vector<float> px(size_t(batch) * size_t(per));
            for (int b = 0; b < n; b += batch) {
                const int e = std::min(b + batch, n);
                const QList<QImage> imgs = decode(jpegs, b, e);
                for (int i = b; i < e; ++i)
                    prep.run(imgs[i - b], px.data() + qsizetype(i - b) * per);
                QVERIFY(enc.encodePixels(px.data(), e - b).ok());
            }
            serial << n / (t.nsecsElapsed() * 1e-9);

            // The CPU side alone, one thread.
            t.start();
            for (int b = 0; b < n; b += batch) {
                const int e = std::min(b + batch, n);
                const QList<QImage> imgs = decode(jpegs, b, e);
                for (int i = b; i < e; ++i)
                    prep.run(imgs[i - b], px.data() + qsizetype(i - b) * per);
            }
            cpuSide << n / (t.nsecsElapsed() * 1e-9);
        }
        qInfo("ViT-B/32-shaped TorchScript, %d JPEGs 640x480, batch %d, %d hardware threads; %s",
              n, batch, QThread::idealThreadCount(), qPrintable(enc.info().preprocessing));
        qInfo("model alone (premade tensors):           %.2f images/s", median(modelOnly));
        qInfo("end to end, overlapped (decode+prep||model): %.2f images/s", median(pipelined));
        qInfo("end to end, serial:                      %.2f images/s", median(serial));
        qInfo("JPEG decode + CLIP preprocessing alone:  %.1f images/s (1 thread)", median(cpuSide));
        QVERIFY(median(pipelined) > 0.5 * median(modelOnly));
    }
};

QTEST_GUILESS_MAIN(BenchEncoder)
#include "bench_encoder.moc"
