#include "tests/support/powercorpus.h"

#include <QColor>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QPolygon>

namespace rs::test {

namespace {

const char *const kNames[] = {"sunflower", "harbour", "lantern", "glacier", "orchard", "pavilion", "meadow", "volcano",
                              "lighthouse", "canyon", "tulip", "reef", "desert", "forest", "castle", "river"};
const char *const kColours[] = {"yellow", "navy", "orange", "white", "green", "striped", "lime", "red",
                                "teal", "brown", "pink", "coral", "sandy", "dark green", "grey", "blue"};

// Picture i: its own hue, pattern and layout, so that colour and texture
// descriptors tell any two apart.
QImage picture(int i, double scale)
{
    const int w = int(320 * scale), h = int(240 * scale);
    QImage img(w, h, QImage::Format_RGB32);
    const QColor base = QColor::fromHsv((i * 23) % 360, 60 + (i % 3) * 60, 120 + (i % 4) * 40);
    const QColor ink = QColor::fromHsv((i * 23 + 180) % 360, 220, 60 + (i % 2) * 150);
    img.fill(base);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(scale, scale);
    p.setPen(Qt::NoPen);
    p.setBrush(ink);
    switch (i % 4) {
    case 0:
        p.drawEllipse(QRect(40 + i * 3, 30, 160, 160));
        break;
    case 1:
        for (int x = 0; x < 320; x += 16 + i)
            p.drawRect(x, 0, 6 + i / 2, 240);
        break;
    case 2:
        for (int y = 0; y < 240; y += 24)
            for (int x = (y / 24) % 2 * 24; x < 320; x += 48)
                p.drawRect(x, y, 24, 24);
        break;
    default:
        p.drawPolygon(QPolygon({QPoint(20, 220), QPoint(160, 20 + i), QPoint(300, 220)}));
        break;
    }
    return img;
}

bool writeText(const QString &path, const QString &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(text.toUtf8()) > 0;
}

QString page(const QString &title, const QString &body)
{
    return QStringLiteral("<!DOCTYPE html>\n<html><head><title>%1</title></head><body>\n<h1>%1</h1>\n%2</body></html>\n").arg(title, body);
}

} // namespace

PowerCorpus makePowerCorpus(const QString &root)
{
    PowerCorpus c;
    const QString dir = QDir(root).filePath(QStringLiteral("corpus"));
    if (!QDir().mkpath(dir))
        return c;
    for (int i = 0; i < 16; ++i) {
        const QString name = QString::fromLatin1(kNames[i]);
        const QString colour = QString::fromLatin1(kColours[i]);
        const QString file = QStringLiteral("p%1.png").arg(i, 2, 10, QLatin1Char('0'));
        if (!picture(i, 1.0).save(QDir(dir).filePath(file), "PNG"))
            return c;
        const QString alt = i == 5 ? QStringLiteral("zebra quokka") : QStringLiteral("A %1 picture of the %2").arg(colour, name);
        const QString body = QStringLiteral(
            "<p>The %1 page shows a %2 pattern drawn for the gallery.</p>\n"
            "<p>Visitors often ask how the %1 picture was painted with %2 ink.</p>\n"
            "<div class=\"figure\"><p class=\"title\"><strong>Figure %3. The %1 in %2</strong></p>\n"
            "<div class=\"figure-contents\"><img src=\"%4\" alt=\"%5\"/></div></div>\n"
            "<p>Each %1 print in the shop is signed by the painter.</p>\n")
                                 .arg(name, colour)
                                 .arg(i + 1)
                                 .arg(file, alt);
        if (!writeText(QDir(dir).filePath(QStringLiteral("page%1.html").arg(i, 2, 10, QLatin1Char('0'))), page(name, body)))
            return c;
    }
    // The near copy: picture 0 with a small mark in a corner (other bytes,
    // the same picture to the eye), on another page. (A JPEG re-encoding
    // is no near copy to the built-in encoder fitted on 17 images: its CCA
    // whitening magnifies the compression noise.)
    QImage copy = picture(0, 1.0);
    {
        QPainter p(&copy);
        p.fillRect(QRect(300, 6, 8, 8), Qt::black);
    }
    if (!copy.save(QDir(dir).filePath(QStringLiteral("p00-copy.png")), "PNG"))
        return c;
    const QString copyBody = QStringLiteral(
        "<p>Our archive keeps a photograph of an older print from the collection.</p>\n"
        "<img src=\"p00-copy.png\" alt=\"An archived photograph of an older print\"/>\n"
        "<p>The archive photograph was taken before the print was restored.</p>\n");
    if (!writeText(QDir(dir).filePath(QStringLiteral("archive.html")), page(QStringLiteral("Archive"), copyBody)))
        return c;
    c.dir = dir;
    c.originalFile = QStringLiteral("p00.png");
    c.nearCopyFile = QStringLiteral("p00-copy.png");
    c.rareWordsFile = QStringLiteral("p05.png");
    c.rareWordsQuery = QStringLiteral("zebra quokka");
    return c;
}

QStringList powerRunSettings()
{
    QStringList out;
    for (const char *s : {"experts.ocr=off", "experts.faces=off", "experts.quality=off", "extract.near_duplicates=false"})
        out << QStringLiteral("--set") << QString::fromLatin1(s);
    return out;
}

} // namespace rs::test
