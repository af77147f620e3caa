// OCR throughput on real UI screenshots: the 20 largest PNG dialog
// screenshots of GIMP's help (package gimp-help-en), mode "on", automatic
// scale, with 1 and 2 worker threads (one TesseractExpert per thread, images
// handed out from a shared counter). Each configuration runs 3 times; the
// median wall time is reported as images/s and tiles/s (a tile is one
// Tesseract Recognize call). Links the plugin's sources to read tile counts.
//
//   bench_ocr [DIR] [COUNT]

#include "plugins/expert_tesseract/ocrsettings.h"
#include "plugins/expert_tesseract/tesseractexpert.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace rs;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString dir = args.value(1, QStringLiteral("/usr/share/gimp/2.0/help/en/images/dialogs"));
    const int count = args.value(2, QStringLiteral("20")).toInt();

    const QFileInfoList files = QDir(dir).entryInfoList({QStringLiteral("*.png")}, QDir::Files, QDir::Size);
    std::vector<QImage> images;
    qint64 pixels = 0;
    for (const QFileInfo &fi : files) {
        if (int(images.size()) == count)
            break;
        QImage image(fi.filePath());
        if (image.isNull())
            continue;
        images.push_back(image.convertToFormat(QImage::Format_RGB888));
        pixels += qint64(image.width()) * image.height();
    }
    if (images.empty()) {
        std::fprintf(stderr, "no PNG images in %s (install gimp-help-en); skipped\n", qPrintable(dir));
        return 0; // a bench without data is skipped, not failed
    }
    auto settings = OcrSettings::fromOptions({{QStringLiteral("mode"), QStringLiteral("on")}});
    if (!settings) {
        std::fprintf(stderr, "%s\n", qPrintable(settings.error().toString()));
        return 1;
    }
    std::printf("%zu images, %.2f MP total, from %s\n", images.size(), pixels / 1e6, qPrintable(dir));
    std::printf("| threads | images/s | tiles/s | words | median s | runs s |\n|---|---|---|---|---|---|\n");

    for (int threads : {1, 2}) {
        std::vector<double> seconds;
        qint64 tiles = 0, words = 0;
        int failures = 0;
        for (int run = 0; run < 3; ++run) {
            // Engines are created (and traineddata loaded) before timing:
            // the stage keeps its experts for the whole run.
            std::vector<std::unique_ptr<TesseractExpert>> experts;
            for (int t = 0; t < threads; ++t) {
                experts.push_back(std::make_unique<TesseractExpert>(*settings));
                QImage warm(64, 64, QImage::Format_RGB888);
                warm.fill(Qt::white);
                (void)experts.back()->analyze(warm);
            }
            std::vector<qint64> tilesBefore;
            for (auto &e : experts)
                tilesBefore.push_back(e->tilesProcessed());
            std::atomic<int> next{0};
            std::atomic<qint64> wordCount{0};
            std::atomic<int> failed{0};
            QElapsedTimer timer;
            timer.start();
            std::vector<std::thread> pool;
            for (int t = 0; t < threads; ++t) {
                pool.emplace_back([&, t] {
                    for (int i = next++; i < int(images.size()); i = next++) {
                        auto r = experts[t]->analyze(images[i]);
                        if (!r) {
                            ++failed;
                            continue;
                        }
                        for (const Finding &f : *r)
                            wordCount += f.level == QLatin1String("word");
                    }
                });
            }
            for (auto &th : pool)
                th.join();
            seconds.push_back(timer.nsecsElapsed() / 1e9);
            tiles = 0;
            for (int t = 0; t < threads; ++t)
                tiles += experts[t]->tilesProcessed() - tilesBefore[t];
            words = wordCount;
            failures += failed;
        }
        std::vector<double> sorted = seconds;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[1];
        std::printf("| %d | %.2f | %.2f | %lld | %.2f | %.2f %.2f %.2f |\n", threads, images.size() / median, tiles / median,
                    static_cast<long long>(words), median, seconds[0], seconds[1], seconds[2]);
        if (failures)
            std::printf("(%d failed analyses)\n", failures);
    }
    return 0;
}
