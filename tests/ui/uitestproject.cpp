#include "uitestproject.h"

#include "core/ingest/ingestor.h"
#include "core/pipeline/pipeline.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QtTest>

namespace rs::test {

UiProject makeUiProject(const QString &root, int pages, bool runExtract)
{
    UiProject project;
    const QString corpus = QDir(root).filePath(QStringLiteral("corpus"));
    QDir().mkpath(corpus + QStringLiteral("/img"));
    for (int i = 0; i < pages; ++i) {
        const int side = 40 + 4 * i;
        QImage image(side + side / 3, side, QImage::Format_RGB32);
        QPainter p(&image);
        // A 4x4 grid of seeded grey levels: every image gets a clearly
        // different perceptual hash, so none is a near duplicate of another.
        quint32 state = 2654435761u * quint32(i + 1);
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x) {
                state = state * 1664525u + 1013904223u;
                const int grey = int(state >> 24);
                p.fillRect(QRectF(image.width() * x / 4.0, image.height() * y / 4.0, image.width() / 4.0 + 1, image.height() / 4.0 + 1),
                           QColor(grey, (grey + i * 40) % 256, 255 - grey));
            }
        p.end();
        const QString name = QStringLiteral("img/picture%1.png").arg(i);
        if (!image.save(QDir(corpus).filePath(name))) {
            QTest::qFail("cannot write a test image", __FILE__, __LINE__);
            return {};
        }
        QFile page(QDir(corpus).filePath(QStringLiteral("page%1.html").arg(i)));
        if (!page.open(QIODevice::WriteOnly)) {
            QTest::qFail("cannot write a test page", __FILE__, __LINE__);
            return {};
        }
        page.write(QStringLiteral("<html><head><title>Page %1 about shapes</title></head><body>"
                                  "<h1>Shapes number %1</h1>"
                                  "<p>This page shows a coloured circle crossed by a thin black line. "
                                  "The picture number %1 is wider than it is tall and has a plain background.</p>"
                                  "<figure><img src=\"%2\" alt=\"circle number %1\"><figcaption>A circle, variant %1.</figcaption></figure>"
                                  "<p>Curators compare the sizes of these drawings while they tune the filters.</p>"
                                  "</body></html>")
                       .arg(i)
                       .arg(name)
                       .toUtf8());
    }
    project.images = pages;
    project.dir = QDir(root).filePath(QStringLiteral("project"));
    auto store = ProjectStore::create(project.dir);
    if (!store) {
        QTest::qFail(qPrintable(store.error().toString()), __FILE__, __LINE__);
        return {};
    }
    IngestOptions options;
    options.format = QStringLiteral("html");
    options.paths = {corpus};
    JobContext ctx;
    auto report = ingest(**store, options, ctx);
    if (!report || report->documentsAdded != pages) {
        QTest::qFail(report ? "not every page was ingested" : qPrintable(report.error().toString()), __FILE__, __LINE__);
        return {};
    }
    if (runExtract) {
        Pipeline pipeline;
        auto recipe = Recipe::load(**store);
        if (Status s = pipeline.run(**store, *recipe, QStringLiteral("extract"), ctx); !s) {
            QTest::qFail(qPrintable(s.error().toString()), __FILE__, __LINE__);
            return {};
        }
    }
    return project;
}

} // namespace rs::test
