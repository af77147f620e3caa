// Tesseract OCR expert, loaded as a real plugin: text at UI and display
// sizes, tiled large images (each word once), regions, alpha, tiny/huge/
// blank/null/garbage input, option errors, and the tile layout on its own.

#include "plugins/expert_tesseract/ocrlayout.h"
#include "tests/plugins/expertloader.h"
#include "tests/support/testdata.h"

#include <QFileInfo>
#include <QFontMetrics>
#include <QPainter>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace rs;

namespace {

struct DrawnWord {
    QString text;
    QRect box; // where QPainter put the ink
};

QFont uiFont(int pixelSize)
{
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(pixelSize);
    font.setHintingPreference(QFont::PreferFullHinting);
    return font;
}

// Draws `words` left to right starting at `origin` (top-left of the line) and
// returns their ink boxes.
QVector<DrawnWord> drawLine(QImage &image, const QStringList &words, QPoint origin, int pixelSize, QColor ink = Qt::black)
{
    QPainter p(&image);
    const QFont font = uiFont(pixelSize);
    p.setFont(font);
    p.setPen(ink);
    const QFontMetrics fm(font);
    QVector<DrawnWord> out;
    int x = origin.x();
    const int baseline = origin.y() + fm.ascent();
    for (const QString &w : words) {
        p.drawText(x, baseline, w);
        out.push_back({w, fm.tightBoundingRect(w).translated(x, baseline)});
        x += fm.horizontalAdvance(w + QLatin1Char(' '));
    }
    return out;
}

QImage whiteImage(int w, int h)
{
    QImage image(w, h, QImage::Format_RGB888);
    image.fill(Qt::white);
    return image;
}

QString normalized(const QString &s)
{
    QString out = s.toLower();
    out.remove(QRegularExpression(QStringLiteral("[^a-z0-9]")));
    return out;
}

Findings ofLevel(const Findings &all, const char *level)
{
    Findings out;
    for (const Finding &f : all) {
        if (f.level == QLatin1String(level))
            out.push_back(f);
    }
    return out;
}

// Word findings whose normalized text equals `word`.
Findings matching(const Findings &words, const QString &word)
{
    Findings out;
    for (const Finding &f : words) {
        if (normalized(f.text) == normalized(word))
            out.push_back(f);
    }
    return out;
}

double iou(const QRectF &a, const QRectF &b)
{
    const QRectF i = a.intersected(b);
    if (i.isEmpty())
        return 0;
    const double inter = i.width() * i.height();
    return inter / (a.width() * a.height() + b.width() * b.height() - inter);
}

const QStringList kManyWords = {
    QStringLiteral("apple"),   QStringLiteral("river"),   QStringLiteral("garden"),  QStringLiteral("window"),
    QStringLiteral("planet"),  QStringLiteral("silver"),  QStringLiteral("market"),  QStringLiteral("forest"),
    QStringLiteral("candle"),  QStringLiteral("bridge"),  QStringLiteral("harbor"),  QStringLiteral("pencil"),
    QStringLiteral("orange"),  QStringLiteral("winter"),  QStringLiteral("castle"),  QStringLiteral("mirror"),
    QStringLiteral("rocket"),  QStringLiteral("saddle"),  QStringLiteral("thunder"), QStringLiteral("valley"),
    QStringLiteral("meadow"),  QStringLiteral("lantern"), QStringLiteral("copper"),  QStringLiteral("island"),
    QStringLiteral("basket"),  QStringLiteral("feather"), QStringLiteral("monkey"),  QStringLiteral("rabbit"),
    QStringLiteral("ticket"),  QStringLiteral("hammer"),  QStringLiteral("jungle"),  QStringLiteral("parrot"),
    QStringLiteral("tunnel"),  QStringLiteral("violin"),  QStringLiteral("walnut"),  QStringLiteral("zipper"),
    QStringLiteral("anchor"),  QStringLiteral("blanket"), QStringLiteral("cactus"),  QStringLiteral("dolphin"),
    QStringLiteral("engine"),  QStringLiteral("falcon"),  QStringLiteral("glacier"), QStringLiteral("helmet"),
    QStringLiteral("insect"),  QStringLiteral("jacket"),  QStringLiteral("kettle"),  QStringLiteral("ladder"),
};

} // namespace

class TestExpertTesseract : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<IExpertFactory> factory(const QVariantMap &options)
    {
        QString error;
        auto f = test::loadExpertFactory(QStringLiteral("expert_tesseract"), QStringLiteral("tesseract-ocr"), &error);
        if (!f) {
            qWarning("%s", qPrintable(error));
            return nullptr;
        }
        const Status s = f->initialize(options);
        if (!s) {
            qWarning("%s", qPrintable(s.error().toString()));
            return nullptr;
        }
        return f;
    }

    Findings ocr(const QImage &image, const QVariantMap &options, const QRect &region = {})
    {
        auto f = factory(options);
        if (!f)
            return {};
        auto expert = f->create();
        auto r = expert->analyze(image, region);
        if (!r) {
            qWarning("%s", qPrintable(r.error().toString()));
            return {};
        }
        return *r;
    }

private Q_SLOTS:
    void pluginMetadata()
    {
        QPluginLoader loader(test::pluginPath(QStringLiteral("expert_tesseract")));
        const QJsonObject meta = loader.metaData();
        QCOMPARE(meta.value(QStringLiteral("IID")).toString(), QStringLiteral(RealSyn_IExpertPlugin_iid));
        QCOMPARE(meta.value(QStringLiteral("MetaData")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("expert_tesseract"));
        QString error;
        auto f = test::loadExpertFactory(QStringLiteral("expert_tesseract"), QStringLiteral("tesseract-ocr"), &error);
        QVERIFY2(f, qPrintable(error));
        QCOMPARE(f->kind(), QStringLiteral("ocr"));
        QVERIFY(!f->create()); // not initialized yet
        QVERIFY(f->initialize({}));
        QVERIFY(f->create());
        QVERIFY(f->version().contains(QStringLiteral("tesseract 5")));
        const QString before = f->version();
        QVERIFY(f->initialize({{QStringLiteral("scale"), 2}}));
        QVERIFY(f->version() != before);
    }

    void badOptions_data()
    {
        QTest::addColumn<QVariantMap>("options");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("mode") << QVariantMap{{QStringLiteral("mode"), QStringLiteral("sometimes")}}
                              << int(ErrorCode::InvalidArgument) << QStringLiteral("mode");
        QTest::newRow("min_confidence") << QVariantMap{{QStringLiteral("min_confidence"), 1.5}}
                                        << int(ErrorCode::InvalidArgument) << QStringLiteral("min_confidence");
        QTest::newRow("scale text") << QVariantMap{{QStringLiteral("scale"), QStringLiteral("big")}}
                                    << int(ErrorCode::InvalidArgument) << QStringLiteral("scale");
        QTest::newRow("scale range") << QVariantMap{{QStringLiteral("scale"), 9}} << int(ErrorCode::InvalidArgument)
                                     << QStringLiteral("scale");
        QTest::newRow("missing tessdata") << QVariantMap{{QStringLiteral("tessdata"), QStringLiteral("/nonexistent/tessdata")}}
                                          << int(ErrorCode::NotFound) << QStringLiteral("eng.traineddata");
        QTest::newRow("missing language") << QVariantMap{{QStringLiteral("language"), QStringLiteral("xxq")}}
                                          << int(ErrorCode::NotFound) << QStringLiteral("xxq.traineddata");
    }

    void badOptions()
    {
        QFETCH(QVariantMap, options);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        QString error;
        auto f = test::loadExpertFactory(QStringLiteral("expert_tesseract"), QStringLiteral("tesseract-ocr"), &error);
        QVERIFY2(f, qPrintable(error));
        const Status s = f->initialize(options);
        QVERIFY(!s);
        QCOMPARE(int(s.error().code), code);
        QVERIFY2(s.error().toString().contains(mentions), qPrintable(s.error().toString()));
        QVERIFY(!f->create());
    }

    void corruptTraineddata()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("eng.traineddata")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        QString error;
        auto f = test::loadExpertFactory(QStringLiteral("expert_tesseract"), QStringLiteral("tesseract-ocr"), &error);
        QVERIFY2(f, qPrintable(error));
        const Status s = f->initialize({{QStringLiteral("tessdata"), dir.path()}});
        QVERIFY(!s);
        QVERIFY2(s.error().toString().contains(QStringLiteral("could not load")), qPrintable(s.error().toString()));
    }

    void textSizes_data()
    {
        QTest::addColumn<int>("pixelSize");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("minFound"); // of 4 words
        // 10 px is GIMP/GTK UI text; unreadable for Tesseract at 1x, read
        // after the automatic 3x upscale.
        QTest::newRow("10px auto") << 10 << QStringLiteral("auto") << 4;
        QTest::newRow("10px on") << 10 << QStringLiteral("on") << 4;
        QTest::newRow("24px auto") << 24 << QStringLiteral("auto") << 4;
        QTest::newRow("48px auto") << 48 << QStringLiteral("auto") << 4;
    }

    void textSizes()
    {
        QFETCH(int, pixelSize);
        QFETCH(QString, mode);
        QFETCH(int, minFound);
        const QStringList words = {QStringLiteral("Open"), QStringLiteral("Image"), QStringLiteral("Layer"),
                                   QStringLiteral("Preferences")};
        QImage image = whiteImage(pixelSize * 24, pixelSize * 5);
        const QVector<DrawnWord> drawn = drawLine(image, words, QPoint(pixelSize, pixelSize * 2), pixelSize);
        const Findings all = ocr(image, {{QStringLiteral("mode"), mode}});
        const Findings found = ofLevel(all, "word");

        int matched = 0;
        for (const DrawnWord &d : drawn) {
            const Findings m = matching(found, d.text);
            if (m.isEmpty())
                continue;
            ++matched;
            QCOMPARE(m.size(), 1);
            QVERIFY2(iou(m[0].box, QRectF(d.box)) > 0.4,
                     qPrintable(QStringLiteral("%1: found at %2,%3 %4x%5, drawn at %6,%7 %8x%9")
                                    .arg(d.text).arg(m[0].box.x()).arg(m[0].box.y()).arg(m[0].box.width())
                                    .arg(m[0].box.height()).arg(d.box.x()).arg(d.box.y()).arg(d.box.width())
                                    .arg(d.box.height())));
            QVERIFY(m[0].confidence >= 0.6 && m[0].confidence <= 1.0);
            QCOMPARE(m[0].kind, QStringLiteral("ocr"));
        }
        QVERIFY2(matched >= minFound, qPrintable(QStringLiteral("%1 of %2 words read").arg(matched).arg(drawn.size())));

        const Findings lines = ofLevel(all, "line");
        QCOMPARE(lines.size(), 1);
        QCOMPARE(normalized(lines[0].text), normalized(words.join(QString())));
        QVERIFY(lines[0].box.contains(matching(found, QStringLiteral("Open")).value(0).box));
    }

    void lightOnDarkAndAlpha()
    {
        // Light-on-dark text (dark UI themes).
        QImage dark(600, 120, QImage::Format_RGB888);
        dark.fill(QColor(40, 40, 48));
        drawLine(dark, {QStringLiteral("Export"), QStringLiteral("Settings")}, QPoint(20, 40), 24, QColor(230, 230, 230));
        const Findings a = ofLevel(ocr(dark, {}), "word");
        QCOMPARE(matching(a, QStringLiteral("Export")).size(), 1);
        QCOMPARE(matching(a, QStringLiteral("Settings")).size(), 1);

        // Black text on a transparent background: composited on white, not black.
        QImage transparent(600, 120, QImage::Format_ARGB32);
        transparent.fill(Qt::transparent);
        drawLine(transparent, {QStringLiteral("Transparent"), QStringLiteral("Canvas")}, QPoint(20, 40), 24);
        const Findings b = ofLevel(ocr(transparent, {}), "word");
        QCOMPARE(matching(b, QStringLiteral("Transparent")).size(), 1);
        QCOMPARE(matching(b, QStringLiteral("Canvas")).size(), 1);
    }

    void largeImageTiles_data()
    {
        QTest::addColumn<QVariantMap>("options");
        QTest::newRow("default tiles") << QVariantMap{};
        // Small tiles put many tile borders through the words.
        QTest::newRow("700px tiles, 1x") << QVariantMap{{QStringLiteral("tile_size"), 700}, {QStringLiteral("scale"), 1}};
    }

    void largeImageTiles()
    {
        QFETCH(QVariantMap, options);
        // 3000x2000: one row of words across the full width (crossing every
        // vertical tile border) and one column down the full height (crossing
        // every horizontal one).
        QImage image = whiteImage(3000, 2000);
        QVector<DrawnWord> drawn;
        int next = 0;
        for (int x = 10; x < 2800 && next < 24; ++next) {
            const QVector<DrawnWord> d = drawLine(image, {kManyWords[next]}, QPoint(x, 980), 32);
            drawn += d;
            x = d[0].box.right() + 40;
        }
        for (int y = 20; y < 1940 && next < kManyWords.size(); y += 90, ++next) {
            if (y > 900 && y < 1060)
                continue;
            drawn += drawLine(image, {kManyWords[next]}, QPoint(1450, y), 32);
        }
        QVERIFY(drawn.size() >= 40);

        const Findings words = ofLevel(ocr(image, options), "word");
        int found = 0;
        for (const DrawnWord &d : drawn) {
            const Findings m = matching(words, d.text);
            QVERIFY2(m.size() <= 1, qPrintable(QStringLiteral("%1 reported %2 times").arg(d.text).arg(m.size())));
            if (m.size() == 1) {
                ++found;
                QVERIFY2(iou(m[0].box, QRectF(d.box)) > 0.4, qPrintable(d.text));
            }
        }
        qInfo("%d of %d drawn words found once, %d word findings", found, int(drawn.size()), int(words.size()));
        QVERIFY2(found >= drawn.size() - 2, qPrintable(QStringLiteral("%1 of %2 words found").arg(found).arg(drawn.size())));
        // Nothing but the drawn words (and no fragments of them) was reported.
        QVERIFY2(words.size() <= drawn.size(), qPrintable(QStringLiteral("%1 word findings").arg(words.size())));
    }

    void region()
    {
        QImage image = whiteImage(1200, 800);
        drawLine(image, {QStringLiteral("Inside"), QStringLiteral("the"), QStringLiteral("region")}, QPoint(620, 420), 24);
        drawLine(image, {QStringLiteral("Outside")}, QPoint(50, 50), 24);
        const QRect region(500, 300, 500, 300);
        const Findings words = ofLevel(ocr(image, {}, region), "word");
        const Findings inside = matching(words, QStringLiteral("Inside"));
        QCOMPARE(inside.size(), 1);
        QVERIFY(matching(words, QStringLiteral("Outside")).isEmpty());
        // Whole-image coordinates, not region ones.
        QVERIFY2(inside[0].box.x() > 600 && inside[0].box.y() > 400, "box not in whole-image pixels");

        auto f = factory({});
        QVERIFY(f);
        auto expert = f->create();
        auto outside = expert->analyze(image, QRect(5000, 5000, 10, 10));
        QVERIFY(!outside);
        QCOMPARE(outside.error().code, ErrorCode::InvalidArgument);
    }

    void nothingToRead_data()
    {
        QTest::addColumn<QImage>("image");
        QTest::addColumn<QString>("mode");
        QImage blank = whiteImage(800, 600);
        QTest::newRow("blank auto") << blank << QStringLiteral("auto");
        QTest::newRow("blank on") << blank << QStringLiteral("on");
        QImage noise(640, 480, QImage::Format_RGB888);
        QRandomGenerator rng(42);
        for (int y = 0; y < noise.height(); ++y) {
            uchar *line = noise.scanLine(y);
            for (int x = 0; x < noise.width() * 3; ++x)
                line[x] = uchar(rng.bounded(256));
        }
        QTest::newRow("noise auto") << noise << QStringLiteral("auto");
        QTest::newRow("1x1 on") << whiteImage(1, 1) << QStringLiteral("on");
        QTest::newRow("3x40 on") << whiteImage(3, 40) << QStringLiteral("on");
        QImage smallText = whiteImage(30, 20);
        drawLine(smallText, {QStringLiteral("ab")}, QPoint(2, 2), 10);
        QTest::newRow("below min_side auto") << smallText << QStringLiteral("auto");
        QTest::newRow("huge blank auto") << whiteImage(8000, 6000) << QStringLiteral("auto");
    }

    void nothingToRead()
    {
        QFETCH(QImage, image);
        QFETCH(QString, mode);
        auto f = factory({{QStringLiteral("mode"), mode}});
        QVERIFY(f);
        auto r = f->create()->analyze(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().toString()));
        QVERIFY(ofLevel(*r, "word").isEmpty());
        QVERIFY(ofLevel(*r, "line").isEmpty());
    }

    void badImages()
    {
        auto f = factory({{QStringLiteral("mode"), QStringLiteral("on")}});
        QVERIFY(f);
        auto expert = f->create();
        auto null = expert->analyze(QImage());
        QVERIFY(!null);
        QCOMPARE(null.error().code, ErrorCode::InvalidArgument);

        QByteArray garbage(5000, '\0');
        QRandomGenerator rng(7);
        for (char &c : garbage)
            c = char(rng.bounded(256));
        garbage.prepend("\x89PNG\r\n\x1a\n");
        const QImage decoded = QImage::fromData(garbage);
        auto r = expert->analyze(decoded);
        QVERIFY(!r); // undecodable data arrives as a null image
        // The expert is still usable afterwards.
        QImage image = whiteImage(400, 100);
        drawLine(image, {QStringLiteral("Still"), QStringLiteral("working")}, QPoint(10, 30), 24);
        auto ok = expert->analyze(image);
        QVERIFY(ok);
        QCOMPARE(matching(ofLevel(*ok, "word"), QStringLiteral("working")).size(), 1);
    }

    void oneExpertPerThread()
    {
        auto f = factory({});
        QVERIFY(f);
        QImage image = whiteImage(700, 200);
        drawLine(image, {QStringLiteral("Parallel"), QStringLiteral("workers")}, QPoint(10, 30), 20);
        drawLine(image, {QStringLiteral("share"), QStringLiteral("nothing")}, QPoint(10, 110), 20);
        QVector<QStringList> texts(2);
        std::vector<std::thread> threads;
        for (int t = 0; t < 2; ++t) {
            threads.emplace_back([&, t] {
                auto expert = f->create();
                for (int i = 0; i < 3; ++i) {
                    auto r = expert->analyze(image);
                    QStringList words;
                    if (r) {
                        for (const Finding &w : ofLevel(*r, "word"))
                            words << w.text;
                    }
                    texts[t] << words.join(QLatin1Char(' '));
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QCOMPARE(texts[0].value(0), QStringLiteral("Parallel workers share nothing"));
        for (const QStringList &perThread : texts) {
            for (const QString &s : perThread)
                QCOMPARE(s, texts[0].value(0));
        }
    }

    // The layout helpers on their own (compiled into this test).
    void tileCoresPartitionTheImage_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<int>("tile");
        QTest::addColumn<int>("overlap");
        QTest::newRow("fits") << QSize(500, 300) << 1024 << 128;
        QTest::newRow("3000x2000") << QSize(3000, 2000) << 1024 << 128;
        QTest::newRow("uneven") << QSize(1031, 2049) << 512 << 100;
        QTest::newRow("overlap too big") << QSize(900, 900) << 300 << 400;
    }

    void tileCoresPartitionTheImage()
    {
        QFETCH(QSize, size);
        QFETCH(int, tile);
        QFETCH(int, overlap);
        const QVector<OcrTile> tiles = ocrTiles(size, tile, overlap);
        QVERIFY(!tiles.isEmpty());
        for (const OcrTile &t : tiles) {
            QVERIFY(QRect(QPoint(0, 0), size).contains(t.rect));
            QVERIFY(t.rect.width() <= tile && t.rect.height() <= tile);
            QVERIFY(t.rect.contains(t.core.toAlignedRect()));
        }
        // Every pixel centre (sampled) is owned by exactly one core.
        for (int y = 0; y < size.height(); y += 7) {
            for (int x = 0; x < size.width(); x += 7) {
                const QPointF c(x + 0.5, y + 0.5);
                int owners = 0;
                for (const OcrTile &t : tiles) {
                    if (c.x() >= t.core.left() && c.x() < t.core.right() && c.y() >= t.core.top() && c.y() < t.core.bottom())
                        ++owners;
                }
                QCOMPARE(owners, 1);
            }
        }
    }

    void mergeAcrossTiles()
    {
        const QVector<OcrTile> tiles = ocrTiles(QSize(2000, 500), 1100, 200);
        QCOMPARE(tiles.size(), 2); // x 0..1100 and 900..2000; boundary at 1000
        QVector<OcrWord> words = {
            // "Hello" wholly inside both tiles' shared strip: seen twice.
            {QRectF(920, 100, 60, 20), QStringLiteral("Hello"), 0.9, 0, 0},
            {QRectF(921, 101, 60, 20), QStringLiteral("Hello"), 0.8, 1, 0},
            // "world" cut by tile 0's right edge: a fragment there, whole in tile 1.
            {QRectF(995, 100, 60, 20), QStringLiteral("wor"), 0.7, 0, 0},
            {QRectF(995, 100, 80, 20), QStringLiteral("world"), 0.95, 1, 0},
            // A word only tile 0 sees.
            {QRectF(100, 100, 60, 20), QStringLiteral("Say"), 0.9, 0, 0},
        };
        const Findings out = assembleOcrFindings(tiles, words, QPointF(10, 20));
        const Findings w = ofLevel(out, "word");
        QStringList texts;
        for (const Finding &f : w)
            texts << f.text;
        QCOMPARE(texts, QStringList({QStringLiteral("Say"), QStringLiteral("Hello"), QStringLiteral("world")}));
        QCOMPARE(w[1].box, QRectF(930, 120, 60, 20)); // offset applied; the tile-0 copy kept (its core)
        const Findings l = ofLevel(out, "line");
        QCOMPARE(l.size(), 1); // pieces from both tiles joined into one line
        QCOMPARE(l[0].text, QStringLiteral("Say Hello world"));
        QCOMPARE(l[0].box, QRectF(110, 120, 975, 20));
        QVERIFY(qAbs(l[0].confidence - (0.9 + 0.9 + 0.95) / 3) < 1e-9);
    }
};

QTEST_MAIN(TestExpertTesseract)
#include "test_expert_tesseract.moc"
