#include "core/generate/builtingenerator.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace rs;

namespace {
Finding ocrLine(const QString &text, double confidence = 0.9, double height = 20)
{
    Finding f;
    f.kind = QStringLiteral("ocr");
    f.level = QStringLiteral("line");
    f.text = text;
    f.confidence = confidence;
    f.box = QRectF(0, 0, 100, height);
    return f;
}
Finding face()
{
    Finding f;
    f.kind = QStringLiteral("face");
    f.text = QStringLiteral("face");
    f.confidence = 0.9;
    f.box = QRectF(10, 10, 40, 40);
    return f;
}
} // namespace

class TestBuiltinGenerator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleaning_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        QTest::newRow("figure number") << QStringLiteral("Figure 14.127. Crop tool") << QStringLiteral("Crop tool.");
        QTest::newRow("bullet") << QStringLiteral("• the layers dialog shows every layer") << QStringLiteral("The layers dialog shows every layer.");
        QTest::newRow("numbered") << QStringLiteral("1. Open the image") << QStringLiteral("Open the image.");
        QTest::newRow("dangling end") << QStringLiteral("The brush paints with the") << QStringLiteral("The brush paints.");
        QTest::newRow("ellipsis") << QStringLiteral("Select the area you want to...") << QStringLiteral("Select the area you want."); // the cut-off "to" is a dangling fragment
        QTest::newRow("keeps question") << QStringLiteral("Why is the image blurry?") << QStringLiteral("Why is the image blurry?");
        QTest::newRow("whitespace") << QStringLiteral("  a   red\n circle ") << QStringLiteral("A red circle.");
        QTest::newRow("nothing left") << QStringLiteral("• ") << QString();
        QTest::newRow("empty") << QString() << QString();
    }
    void cleaning()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(BuiltinGenerator::cleanRealisticText(in), out);
    }

    void noEvidenceSaysSo()
    {
        GenerationInput in;
        in.imageId = 3;
        in.realisticTexts = {QStringLiteral("the crop tool removes the edges of an image")};
        const GeneratedText g = BuiltinGenerator::generateOne(in);
        QCOMPARE(g.text, QStringLiteral("The crop tool removes the edges of an image."));
        QCOMPARE(g.provenance.value(QStringLiteral("evidence")).toString(), QStringLiteral("none"));
    }

    void evidenceIsWovenInWithoutInventing()
    {
        GenerationInput in;
        in.imageId = 0;
        in.realisticTexts = {QStringLiteral("The Crop tool options dialog.")};
        in.findings = {ocrLine(QStringLiteral("Tool Options"), 0.95, 30), ocrLine(QStringLiteral("Crop"), 0.9, 12),
                       ocrLine(QStringLiteral("x1#"), 0.3), face(), face()};
        const GeneratedText g = BuiltinGenerator::generateOne(in);
        QVERIFY2(g.text.startsWith(QStringLiteral("The Crop tool options dialog. ")), qPrintable(g.text));
        QVERIFY(g.text.contains(QStringLiteral("\"Tool Options\"")));
        QVERIFY(g.text.contains(QStringLiteral("\"Crop\"")));
        QVERIFY(!g.text.contains(QStringLiteral("x1#")));      // unconfident OCR stays out
        QVERIFY(g.text.contains(QStringLiteral("2 faces")));
        QCOMPARE(g.provenance.value(QStringLiteral("evidence")).toString(), QStringLiteral("ocr,faces"));
        // Every word of the output comes from the inputs or the fixed template phrases.
        const QStringList allowed = {QStringLiteral("the"), QStringLiteral("image"), QStringLiteral("shows"), QStringLiteral("visible"),
                                     QStringLiteral("in"), QStringLiteral("it"), QStringLiteral("text"), QStringLiteral("reading"),
                                     QStringLiteral("and"), QStringLiteral("faces"), QStringLiteral("2")};
        const QString inputs = (in.realisticTexts.join(QLatin1Char(' ')) + QStringLiteral(" Tool Options Crop")).toLower();
        for (QString word : g.text.toLower().split(QRegularExpression(QStringLiteral("[^\\p{L}\\p{N}]+")), Qt::SkipEmptyParts))
            QVERIFY2(allowed.contains(word) || inputs.contains(word), qPrintable(word));
    }

    void templatesVaryByImageButAreDeterministic()
    {
        GenerationInput in;
        in.realisticTexts = {QStringLiteral("A dialog.")};
        in.findings = {ocrLine(QStringLiteral("Layers"))};
        QSet<QString> texts;
        for (qint64 id = 0; id < 6; ++id) {
            in.imageId = id;
            const QString a = BuiltinGenerator::generateOne(in).text;
            QCOMPARE(BuiltinGenerator::generateOne(in).text, a);
            texts.insert(a);
        }
        QCOMPARE(texts.size(), 3);
    }

    void captionerAndEmptyInput()
    {
        QCOMPARE(BuiltinCaptioner::captionFor({}), QString());
        QCOMPARE(BuiltinCaptioner::captionFor({face()}), QStringLiteral("An image with one face."));
        BuiltinGenerator gen;
        JobContext ctx;
        const auto out = gen.generate({GenerationInput{}}, ctx);
        QCOMPARE(out.size(), 1);
        QVERIFY(!out[0].ok()); // nothing to write is an error for that item, not an invented sentence
    }

    void instructionIsVersioned()
    {
        QVERIFY(defaultGenerationInstruction().contains(QStringLiteral("invent")));
        QVERIFY(!generationPromptVersion().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBuiltinGenerator)
#include "test_builtingenerator.moc"
