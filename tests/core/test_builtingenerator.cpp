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

    void repeatedPhrasesCollapse_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        QTest::newRow("menu label twice") << QStringLiteral("New View, New View") << QStringLiteral("New View");
        QTest::newRow("word twice") << QStringLiteral("Paint with the the brush.") << QStringLiteral("Paint with the brush.");
        QTest::newRow("case and punctuation") << QStringLiteral("Zoom In; zoom in.") << QStringLiteral("Zoom In.");
        QTest::newRow("three times") << QStringLiteral("Undo Undo Undo") << QStringLiteral("Undo");
        QTest::newRow("numbers are no repeat") << QStringLiteral("GIMP 1.1 and 2 2") << QStringLiteral("GIMP 1.1 and 2 2");
        QTest::newRow("list stays") << QStringLiteral("Layers, Channels, Paths") << QStringLiteral("Layers, Channels, Paths");
        QTest::newRow("non-adjacent stays") << QStringLiteral("the layer and the mask") << QStringLiteral("the layer and the mask");
    }
    void repeatedPhrasesCollapse()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(BuiltinGenerator::collapseRepeats(in), out);
    }

    void neverRepeatsAPhrase()
    {
        // Image 25 of the demo before fused retrieval: a menu label repeated
        // and OCR noise around a good line.
        GenerationInput in;
        in.imageId = 25;
        in.realisticTexts = {QStringLiteral("New View, New View"), QStringLiteral("The Brushes dialog lists the brushes.")};
        in.findings = {ocrLine(QStringLiteral("Brushes Layers"), 0.9, 20)};
        const GeneratedText g = BuiltinGenerator::generateOne(in);
        QVERIFY2(!g.text.contains(QStringLiteral("New View, New View")), qPrintable(g.text));
        QVERIFY(g.text.startsWith(QStringLiteral("New View.")));
        QVERIFY(g.text.contains(QStringLiteral("\"Brushes Layers\"")));
        // The quote that only repeats the realistic text is dropped.
        in.realisticTexts = {QStringLiteral("Brushes Layers")};
        QVERIFY(!BuiltinGenerator::generateOne(in).text.contains(QLatin1Char('"')));
    }

    void ocrIsQuotedOnlyWhenConfidentAndWordLike_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<double>("confidence");
        QTest::addColumn<bool>("quoted");
        QTest::newRow("words") << QStringLiteral("Stretch Contrast") << 0.9 << true;
        QTest::newRow("symbol glued to a word") << QStringLiteral("s#Stretch Contrast") << 0.9 << false;
        QTest::newRow("stray letter") << QStringLiteral("x Occupied") << 0.9 << false;
        QTest::newRow("unsure") << QStringLiteral("Layers Channels") << 0.6 << false;
        QTest::newRow("number and unit") << QStringLiteral("Opacity 100%") << 0.9 << true;
        QTest::newRow("mixed case noise") << QStringLiteral("lIlI Layers") << 0.9 << false;
        QTest::newRow("only short tokens") << QStringLiteral("ok 12") << 0.9 << false;
        QTest::newRow("three letters off an icon") << QStringLiteral("aoe") << 0.9 << false;
        QTest::newRow("two short words") << QStringLiteral("New View") << 0.9 << true;
        QTest::newRow("apostrophe and hyphen") << QStringLiteral("Don't re-open") << 0.9 << true;
    }
    void ocrIsQuotedOnlyWhenConfidentAndWordLike()
    {
        QFETCH(QString, line);
        QFETCH(double, confidence);
        QFETCH(bool, quoted);
        GenerationInput in;
        in.imageId = 1;
        in.realisticTexts = {QStringLiteral("The Curves tool changes colours.")};
        in.findings = {ocrLine(line, confidence)};
        const QString text = BuiltinGenerator::generateOne(in).text;
        QCOMPARE(text.contains(QLatin1Char('"') + line + QLatin1Char('"')), quoted);
        if (!quoted)
            QCOMPARE(text, QStringLiteral("The Curves tool changes colours."));
    }

    void facesOnlyWhenConfident()
    {
        GenerationInput in;
        in.imageId = 2;
        in.realisticTexts = {QStringLiteral("A chart of the histogram.")};
        Finding weak = face();
        weak.confidence = 0.4; // a Haar hit with few neighbours: charts, icons, dialogs
        in.findings = {weak, weak, weak};
        QCOMPARE(BuiltinGenerator::generateOne(in).text, QStringLiteral("A chart of the histogram."));
        in.findings = {face()};
        QVERIFY(BuiltinGenerator::generateOne(in).text.contains(QStringLiteral("one face")));
    }

    void writesFromTheFusedTopTexts()
    {
        QStringList used;
        // A short label is completed by the next text about the same thing.
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("Figure 14.127. Crop tool"),
                                                  QStringLiteral("The tool removes the edges of an image when you crop"),
                                                  QStringLiteral("Something else entirely")},
                                                 &used),
                 QStringLiteral("Crop tool. The tool removes the edges of an image when you crop."));
        QCOMPARE(used, (QStringList{QStringLiteral("text1"), QStringLiteral("text2")}));
        // A next text that contains the whole label replaces it: no phrase twice
        // (demo image 1293: "“Straighten” clipping options. “Straighten” clipping options — ...").
        used.clear();
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("“Straighten” clipping options"),
                                                  QStringLiteral("“Straighten” clipping options — Straighten with “Adjust” option")},
                                                 &used),
                 QStringLiteral("“Straighten” clipping options — Straighten with “Adjust” option."));
        QCOMPARE(used, QStringList{QStringLiteral("text2")});
        // ... but not by one that shares only part of the label (demo image 25:
        // the Brushes Editor is not the MyPaint Brushes dialog) ...
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("The “Brushes” Editor dialog"),
                                                  QStringLiteral("The “MyPaint Brushes” dialog is used to select a MyPaint brush")}),
                 QStringLiteral("The “Brushes” Editor dialog."));
        // ... nor by an index entry; and a join never repeats a phrase.
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("Channel Context Menu"), QStringLiteral("Menu, Channels Context Menu")}),
                 QStringLiteral("Channel Context Menu."));
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("The Selection tools"),
                                                  QStringLiteral("Selection tools, including rectangle, ellipse and free select")}),
                 QStringLiteral("The Selection tools, including rectangle, ellipse and free select."));
        // ... nor by an unrelated one, nor by one that only repeats it.
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("Crop tool"), QStringLiteral("Layers are stacked.")}),
                 QStringLiteral("Crop tool."));
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("Crop tool"), QStringLiteral("crop tool")}), QStringLiteral("Crop tool."));
        // A long first text stands alone; an unusable first text gives way.
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("The crop tool removes the edges of an image"), QStringLiteral("Crop tool")}),
                 QStringLiteral("The crop tool removes the edges of an image."));
        used.clear();
        QCOMPARE(BuiltinGenerator::realisticPart({QStringLiteral("• "), QStringLiteral("The layers dialog")}, &used),
                 QStringLiteral("The layers dialog."));
        QCOMPARE(used, QStringList{QStringLiteral("text2")});
    }

    void instructionIsVersioned()
    {
        QVERIFY(defaultGenerationInstruction().contains(QStringLiteral("invent")));
        QVERIFY(!generationPromptVersion().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBuiltinGenerator)
#include "test_builtingenerator.moc"
