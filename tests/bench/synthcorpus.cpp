// realsyn-synthcorpus OUTDIR DOCS [--seed S] [--images-per-doc K] [--sentences M]
//
// A synthetic interleaved corpus for the scale-out benchmark (issue 14):
// DOCS documents in MMC4 JSONL (OUTDIR/corpus.jsonl) with K small generated
// PNG images each (OUTDIR/images/<k / 1000>/<k>.png, 128-192 px, above the
// default extract.min_side) and M sentences. Each document has a topic
// (a colour and a shape); its images draw that shape in that colour over a
// gradient, and its sentences mention them among filler words, one of them a
// caption matched to each image (MMC4's matched_text_index, kept as ground
// truth), so the built-in encoder has pairs to fit and retrieval has
// something to find. About 2% of documents repeat an earlier image and 3%
// of sentences repeat an earlier one, so exact and near-duplicate grouping
// and sentence dedup have work to do. Deterministic for a seed.
//
// Ingest it with: realsyn ingest DIR --format mmc4 --images OUTDIR/images OUTDIR/corpus.jsonl

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>

#include <cmath>
#include <cstdio>
#include <iterator>

namespace {

const char *const kColours[] = {"red", "green", "blue", "yellow", "purple", "orange", "black", "white", "grey", "pink"};
const QColor kColourValues[] = {Qt::red, Qt::darkGreen, Qt::blue, Qt::yellow, QColor(128, 0, 128), QColor(255, 140, 0),
                                Qt::black, Qt::white, Qt::gray, QColor(255, 105, 180)};
const char *const kShapes[] = {"circle", "square", "triangle", "star", "ring", "stripe", "cross", "diamond"};
const char *const kFiller[] = {"the", "a", "small", "large", "picture", "shows", "near", "with", "under", "above", "bright", "dark",
                               "pattern", "field", "garden", "street", "window", "paper", "drawing", "sign", "river", "house",
                               "people", "morning", "evening", "market", "bridge", "table", "wall", "light", "shadow", "corner"};
constexpr int kColourCount = int(std::size(kColours));
constexpr int kShapeCount = int(std::size(kShapes));
constexpr int kFillerCount = int(std::size(kFiller));

QString filler(QRandomGenerator &rng, int words)
{
    QStringList out;
    for (int i = 0; i < words; ++i)
        out << QString::fromLatin1(kFiller[rng.bounded(kFillerCount)]);
    return out.join(QLatin1Char(' '));
}

void drawShape(QPainter &p, int shape, const QRectF &r)
{
    switch (shape) {
    case 0: p.drawEllipse(r); break;
    case 1: p.drawRect(r); break;
    case 2: p.drawPolygon(QPolygonF{{r.center().x(), r.top()}, r.bottomLeft(), r.bottomRight()}); break;
    case 3: {
        QPolygonF star;
        for (int i = 0; i < 10; ++i) {
            const double a = i * M_PI / 5 - M_PI / 2, rad = (i % 2 ? 0.4 : 1.0) * r.width() / 2;
            star << r.center() + QPointF(rad * std::cos(a), rad * std::sin(a));
        }
        p.drawPolygon(star);
        break;
    }
    case 4: p.drawEllipse(r); p.setBrush(Qt::white); p.drawEllipse(r.adjusted(r.width() / 4, r.height() / 4, -r.width() / 4, -r.height() / 4)); break;
    case 5: for (int i = 0; i < 4; ++i) p.drawRect(QRectF(r.left(), r.top() + i * r.height() / 4, r.width(), r.height() / 8)); break;
    case 6: p.drawRect(QRectF(r.center().x() - r.width() / 8, r.top(), r.width() / 4, r.height()));
            p.drawRect(QRectF(r.left(), r.center().y() - r.height() / 8, r.width(), r.height() / 4)); break;
    default: p.drawPolygon(QPolygonF{{r.center().x(), r.top()}, {r.right(), r.center().y()}, {r.center().x(), r.bottom()}, {r.left(), r.center().y()}});
    }
}

QImage makeImage(QRandomGenerator &rng, int colour, int shape)
{
    const int w = 128 + rng.bounded(65), h = 128 + rng.bounded(65);
    QImage img(w, h, QImage::Format_RGB32);
    QPainter p(&img);
    QLinearGradient g(0, 0, w, h);
    g.setColorAt(0, QColor::fromHsv(rng.bounded(360), 40 + rng.bounded(60), 150 + rng.bounded(100)));
    g.setColorAt(1, QColor::fromHsv(rng.bounded(360), 40 + rng.bounded(60), 100 + rng.bounded(100)));
    p.fillRect(img.rect(), g);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(kColourValues[colour]);
    const int n = 1 + rng.bounded(3);
    for (int i = 0; i < n; ++i) {
        const double side = std::min(w, h) * (0.3 + 0.4 * rng.generateDouble());
        drawShape(p, shape, QRectF(rng.bounded(std::max(1, int(w - side))), rng.bounded(std::max(1, int(h - side))), side, side));
    }
    return img;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv); // QPainter on QImage needs the font database
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("OUTDIR"), QStringLiteral("folder to write corpus.jsonl and images/ into"));
    parser.addPositionalArgument(QStringLiteral("DOCS"), QStringLiteral("number of documents"));
    parser.addOption({QStringLiteral("seed"), QStringLiteral("random seed"), QStringLiteral("S"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("images-per-doc"), QStringLiteral("images per document"), QStringLiteral("K"), QStringLiteral("2")});
    parser.addOption({QStringLiteral("sentences"), QStringLiteral("sentences per document"), QStringLiteral("M"), QStringLiteral("8")});
    parser.process(app);
    if (parser.positionalArguments().size() != 2) {
        std::fprintf(stderr, "usage: realsyn-synthcorpus OUTDIR DOCS [--seed S] [--images-per-doc K] [--sentences M]\n");
        return 2;
    }
    const QString out = parser.positionalArguments()[0];
    bool ok = false;
    const qint64 docs = parser.positionalArguments()[1].toLongLong(&ok);
    const int perDoc = parser.value(QStringLiteral("images-per-doc")).toInt();
    const int sentences = parser.value(QStringLiteral("sentences")).toInt();
    if (!ok || docs < 1 || perDoc < 1 || sentences < perDoc) {
        std::fprintf(stderr, "DOCS must be >= 1 and sentences >= images-per-doc >= 1\n");
        return 2;
    }
    QRandomGenerator rng(parser.value(QStringLiteral("seed")).toUInt());
    QFile jsonl(QDir(out).filePath(QStringLiteral("corpus.jsonl")));
    if (!QDir().mkpath(QDir(out).filePath(QStringLiteral("images"))) || !jsonl.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "cannot write into %s\n", qPrintable(out));
        return 1;
    }
    qint64 imageCount = 0;
    QStringList recentSentences;
    QStringList recentImages;
    for (qint64 d = 0; d < docs; ++d) {
        const int colour = rng.bounded(kColourCount), shape = rng.bounded(kShapeCount);
        const QString topic = QStringLiteral("%1 %2").arg(QLatin1String(kColours[colour]), QLatin1String(kShapes[shape]));
        QJsonArray texts, infos;
        for (int s = 0; s < sentences; ++s) {
            QString text;
            if (!recentSentences.isEmpty() && rng.bounded(100) < 3)
                text = recentSentences[rng.bounded(int(recentSentences.size()))];
            else if (s < perDoc)
                text = QStringLiteral("A %1 drawn on a %2 background, document %3.").arg(topic, filler(rng, 2)).arg(d);
            else
                text = QStringLiteral("The %1 %2 %3.").arg(filler(rng, 3 + rng.bounded(5)), s % 2 ? topic : QStringLiteral("scene"), filler(rng, 2 + rng.bounded(6)));
            texts.append(text);
            recentSentences << text;
        }
        for (int k = 0; k < perDoc; ++k) {
            QString name;
            if (!recentImages.isEmpty() && rng.bounded(100) < 2) {
                name = recentImages[rng.bounded(int(recentImages.size()))];
            } else {
                name = QStringLiteral("%1/%2.png").arg(imageCount / 1000).arg(imageCount);
                ++imageCount;
                const QString path = QDir(out).filePath(QStringLiteral("images/") + name);
                QDir().mkpath(QFileInfo(path).absolutePath());
                if (!makeImage(rng, colour, shape).save(path, "PNG")) {
                    std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
                    return 1;
                }
            }
            recentImages << name;
            infos.append(QJsonObject{{QStringLiteral("image_name"), name}, {QStringLiteral("matched_text_index"), k},
                                     {QStringLiteral("matched_sim"), 0.3}});
        }
        while (recentSentences.size() > 500)
            recentSentences.removeFirst();
        while (recentImages.size() > 200)
            recentImages.removeFirst();
        const QJsonObject line{{QStringLiteral("url"), QStringLiteral("https://synthetic.example/doc/%1").arg(d)},
                               {QStringLiteral("text_list"), texts},
                               {QStringLiteral("image_info"), infos}};
        jsonl.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
        if ((d + 1) % 10000 == 0)
            std::fprintf(stderr, "%lld documents\n", static_cast<long long>(d + 1));
    }
    std::printf("%lld documents, %lld images in %s\n", static_cast<long long>(docs), static_cast<long long>(imageCount), qPrintable(out));
    return jsonl.flush() ? 0 : 1;
}
