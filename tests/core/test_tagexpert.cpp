// Tests of zero-shot tagging (core/generate/tagexpert.h) with a fake encoder
// whose geometry is known exactly: each of a few words owns one axis; an
// image's pixels of a word's colour pull it towards that word's axis.

#include "core/generate/tagexpert.h"

#include <QJsonDocument>
#include <QPainter>
#include <QTest>

#include <cmath>

using namespace rs;

namespace {

// Axes: apple, tree, sky, banana, car, photo, image, and one for "nothing known".
const QStringList kWords = {QStringLiteral("apple"), QStringLiteral("tree"), QStringLiteral("sky"), QStringLiteral("banana"),
                            QStringLiteral("car"), QStringLiteral("photo"), QStringLiteral("image")};
constexpr int kDim = 8;

// Colour of the pixels that show each object word.
QColor colourOf(const QString &word)
{
    if (word == QLatin1String("apple")) return QColor(255, 0, 0);
    if (word == QLatin1String("tree")) return QColor(0, 255, 0);
    if (word == QLatin1String("sky")) return QColor(0, 0, 255);
    if (word == QLatin1String("banana")) return QColor(255, 255, 0);
    if (word == QLatin1String("car")) return QColor(128, 128, 128);
    return QColor(0, 0, 0);
}

class FakeEncoder : public IEncoder {
public:
    explicit FakeEncoder(bool clip, QString name = QStringLiteral("fake-colour-v1")) : m_clip(clip), m_name(std::move(name)) {}

    EncoderInfo info() const override { return {m_name, kDim, m_clip, QStringLiteral("fake")}; }

    Result<Matrix> encodeImages(const QList<QImage> &images, JobContext &) override
    {
        Matrix m(images.size(), kDim);
        for (qsizetype i = 0; i < images.size(); ++i) {
            const QImage img = images[i].convertToFormat(QImage::Format_RGB888);
            for (int y = 0; y < img.height(); ++y)
                for (int x = 0; x < img.width(); ++x) {
                    const QColor c = img.pixelColor(x, y);
                    int axis = 7;
                    for (int w = 0; w < 5; ++w)
                        if (colourOf(kWords[w]) == c)
                            axis = w;
                    m.row(i)[axis] += 1;
                }
        }
        m.normalizeRows();
        ++imageCalls;
        return m;
    }

    Result<Matrix> encodeTexts(const QStringList &texts, JobContext &) override
    {
        if (failTexts)
            return makeError(ErrorCode::Internal, QStringLiteral("text tower exploded"));
        Matrix m(texts.size(), kDim);
        for (qsizetype i = 0; i < texts.size(); ++i) {
            seenTexts << texts[i];
            bool any = false;
            for (const QString &w : texts[i].toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
                const int axis = int(kWords.indexOf(w));
                if (axis >= 0) {
                    m.row(i)[axis] += 1;
                    any = true;
                }
            }
            if (!any)
                m.row(i)[7] = 1;
        }
        m.normalizeRows();
        return m;
    }

    bool failTexts = false;
    int imageCalls = 0;
    QStringList seenTexts;

private:
    bool m_clip;
    QString m_name;
};

// An image whose pixels are `fraction` of colour a and the rest colour b (left to right).
QImage mixImage(const QString &a, const QString &b, double fraction, int w = 100, int h = 10)
{
    QImage img(w, h, QImage::Format_RGB888);
    img.fill(colourOf(b));
    QPainter p(&img);
    p.fillRect(QRect(0, 0, int(std::lround(fraction * w)), h), colourOf(a));
    p.end();
    return img;
}

QImage solid(const QString &word)
{
    return mixImage(word, word, 1.0);
}

// Similarity of a label with an image of unit weights (wa on the label's axis):
// the label row is (2 e_label + e_photo + e_image) / sqrt(6).
double labelSim(double weightOnLabel)
{
    return 2.0 * weightOnLabel / std::sqrt(6.0);
}

double mixWeight(double fraction)
{
    return fraction / std::hypot(fraction, 1.0 - fraction);
}

const QStringList kVocabulary = {QStringLiteral("apple"), QStringLiteral("tree"), QStringLiteral("sky"), QStringLiteral("banana"),
                                 QStringLiteral("car")};

} // namespace

class TestTagExpert : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void prompts()
    {
        QCOMPARE(TagExpertFactory::promptTemplates().size(), 2);
        QCOMPARE(TagExpertFactory::prompt(QStringLiteral("a photo of a {label}"), QStringLiteral("apple")), QStringLiteral("a photo of an apple"));
        QCOMPARE(TagExpertFactory::prompt(QStringLiteral("a photo of a {label}"), QStringLiteral("tree")), QStringLiteral("a photo of a tree"));
        QCOMPARE(TagExpertFactory::prompt(QStringLiteral("an image of {label}"), QStringLiteral("apple")), QStringLiteral("an image of apple"));
    }

    void labelRowsArePromptAverages()
    {
        FakeEncoder enc(true);
        JobContext ctx;
        const Result<Matrix> rows = TagExpertFactory::encodeLabels(enc, {QStringLiteral("apple"), QStringLiteral("tree")}, ctx);
        QVERIFY(rows);
        QCOMPARE(rows->rows, 2);
        // (2 e_apple + e_photo + e_image) / sqrt(6)
        QVERIFY(qAbs(rows->row(0)[0] - 2 / std::sqrt(6.0)) < 1e-6);
        QVERIFY(qAbs(rows->row(0)[5] - 1 / std::sqrt(6.0)) < 1e-6);
        QVERIFY(qAbs(rows->row(0)[6] - 1 / std::sqrt(6.0)) < 1e-6);
        QVERIFY(qAbs(rows->row(1)[1] - 2 / std::sqrt(6.0)) < 1e-6);
        QCOMPARE(enc.seenTexts,
                 (QStringList{QStringLiteral("a photo of an apple"), QStringLiteral("an image of apple"), QStringLiteral("a photo of a tree"),
                              QStringLiteral("an image of tree")}));
    }

    void topTags_data()
    {
        QTest::addColumn<QImage>("image");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<int>("topK");
        QTest::addColumn<QStringList>("labels");
        QTest::addColumn<QList<double>>("sims");

        const double w6 = mixWeight(0.6), w4 = mixWeight(0.4);
        QTest::newRow("pure red") << solid(QStringLiteral("apple")) << 0.3 << 5 << QStringList{QStringLiteral("apple")}
                                  << QList<double>{labelSim(1)};
        QTest::newRow("60/40 apple/tree") << mixImage(QStringLiteral("apple"), QStringLiteral("tree"), 0.6) << 0.3 << 5
                                          << QStringList{QStringLiteral("apple"), QStringLiteral("tree")}
                                          << QList<double>{labelSim(w6), labelSim(w4)};
        QTest::newRow("60/40, high threshold") << mixImage(QStringLiteral("apple"), QStringLiteral("tree"), 0.6) << 0.6 << 5
                                               << QStringList{QStringLiteral("apple")} << QList<double>{labelSim(w6)};
        QTest::newRow("60/40, top 1") << mixImage(QStringLiteral("apple"), QStringLiteral("tree"), 0.6) << 0.3 << 1
                                      << QStringList{QStringLiteral("apple")} << QList<double>{labelSim(w6)};
        QTest::newRow("40/60 banana/sky") << mixImage(QStringLiteral("banana"), QStringLiteral("sky"), 0.4) << 0.3 << 5
                                          << QStringList{QStringLiteral("sky"), QStringLiteral("banana")}
                                          << QList<double>{labelSim(w6), labelSim(w4)};
        QTest::newRow("unknown colour") << mixImage(QStringLiteral("photo"), QStringLiteral("photo"), 1.0) << 0.3 << 5 << QStringList{}
                                        << QList<double>{};
    }

    void topTags()
    {
        QFETCH(QImage, image);
        QFETCH(double, threshold);
        QFETCH(int, topK);
        QFETCH(QStringList, labels);
        QFETCH(QList<double>, sims);

        auto enc = std::make_shared<FakeEncoder>(true);
        TagExpertFactory factory(enc, kVocabulary);
        QCOMPARE(factory.kind(), QStringLiteral("tag"));
        QVERIFY(factory.initialize({{QStringLiteral("threshold"), threshold}, {QStringLiteral("top_k"), topK}}));
        auto expert = factory.create();
        QVERIFY(expert);
        const Result<Findings> found = expert->analyze(image);
        QVERIFY(found);
        QStringList got;
        for (const Finding &f : found.value())
            got << f.text;
        QCOMPARE(got, labels);
        for (int i = 0; i < found->size(); ++i) {
            const Finding &f = found->at(i);
            QCOMPARE(f.kind, QStringLiteral("tag"));
            QVERIFY2(qAbs(f.value - sims[i]) < 1e-5, qPrintable(QStringLiteral("%1 vs %2").arg(f.value).arg(sims[i])));
            QVERIFY(f.box.isEmpty());
            // Uncalibrated: a logistic of the margin over the threshold.
            const double expected = 1.0 / (1.0 + std::exp(-(f.value - threshold) / 0.02));
            QVERIFY(qAbs(f.confidence - expected) < 1e-6);
            QVERIFY(f.confidence > 0.5 && f.confidence <= 1.0);
        }
    }

    void regionGivesBoxAndOnlyItsContent()
    {
        auto enc = std::make_shared<FakeEncoder>(true);
        TagExpertFactory factory(enc, kVocabulary);
        QVERIFY(factory.initialize({{QStringLiteral("threshold"), 0.3}}));
        auto expert = factory.create();
        const QImage img = mixImage(QStringLiteral("apple"), QStringLiteral("sky"), 0.5);
        const Result<Findings> right = expert->analyze(img, QRect(50, 0, 50, 10));
        QVERIFY(right);
        QCOMPARE(right->size(), 1);
        QCOMPARE(right->at(0).text, QStringLiteral("sky"));
        QCOMPARE(right->at(0).box, QRectF(50, 0, 50, 10));
        QVERIFY(!expert->analyze(img, QRect(500, 500, 10, 10)));
        QVERIFY(!expert->analyze(QImage()));
    }

    void thresholdPolicy()
    {
        // CLIP family: a default threshold.
        {
            TagExpertFactory f(std::make_shared<FakeEncoder>(true), kVocabulary);
            QVERIFY(f.initialize({}));
            QCOMPARE(f.threshold(), TagExpertFactory::kClipDefaultThreshold);
            QCOMPARE(f.topK(), 5);
        }
        // Not CLIP, no calibration: tags are off.
        {
            TagExpertFactory f(std::make_shared<FakeEncoder>(false), kVocabulary);
            const Status s = f.initialize({});
            QVERIFY(!s);
            QCOMPARE(s.error().code, ErrorCode::Unsupported);
            QVERIFY2(s.error().message.contains(QStringLiteral("tags are off")), qPrintable(s.error().message));
            QVERIFY(!f.create());
        }
        // Not CLIP, explicit threshold: the user's choice.
        {
            TagExpertFactory f(std::make_shared<FakeEncoder>(false), kVocabulary);
            QVERIFY(f.initialize({{QStringLiteral("threshold"), 0.5}}));
            QVERIFY(f.create());
        }
        // Bad options.
        {
            TagExpertFactory f(std::make_shared<FakeEncoder>(true), kVocabulary);
            QCOMPARE(f.initialize({{QStringLiteral("top_k"), 0}}).error().context, QStringLiteral("top_k"));
            QCOMPARE(f.initialize({{QStringLiteral("threshold"), QStringLiteral("high")}}).error().context, QStringLiteral("threshold"));
        }
    }

    void versionTracksSettings()
    {
        TagExpertFactory a(std::make_shared<FakeEncoder>(true), kVocabulary);
        TagExpertFactory b(std::make_shared<FakeEncoder>(true), kVocabulary.mid(0, 4));
        QVERIFY(a.initialize({{QStringLiteral("threshold"), 0.3}}));
        QVERIFY(b.initialize({{QStringLiteral("threshold"), 0.3}}));
        const QString va = a.version();
        QVERIFY(va.contains(QStringLiteral("fake-colour-v1")));
        QVERIFY(va != b.version());
        QVERIFY(a.initialize({{QStringLiteral("threshold"), 0.4}}));
        QVERIFY(va != a.version());
    }

    void restrictsToKnownTerms()
    {
        auto enc = std::make_shared<FakeEncoder>(false);
        // The built-in encoder passes BuiltinEncoder::knowsWord here.
        const auto knows = [](const QString &term) { return term != QLatin1String("car") && term != QLatin1String("banana"); };
        TagExpertFactory factory(enc, kVocabulary, knows);
        QCOMPARE(factory.vocabulary(), (QStringList{QStringLiteral("apple"), QStringLiteral("tree"), QStringLiteral("sky")}));
        QCOMPARE(factory.droppedUnknownTerms(), 2);
        QVERIFY(factory.initialize({{QStringLiteral("threshold"), -1.0}}));
        for (const QString &t : std::as_const(enc->seenTexts))
            QVERIFY2(!t.contains(QStringLiteral("car")) && !t.contains(QStringLiteral("banana")), qPrintable(t));
        // Even at threshold -1 a grey (car) image cannot be tagged "car".
        const Result<Findings> found = factory.create()->analyze(solid(QStringLiteral("car")));
        QVERIFY(found);
        QCOMPARE(found->size(), 3);
        for (const Finding &f : found.value())
            QVERIFY(f.text != QLatin1String("car"));
    }

    void emptyVocabularyErrors()
    {
        auto enc = std::make_shared<FakeEncoder>(true);
        {
            TagExpertFactory f(enc, {});
            const Status s = f.initialize({});
            QVERIFY(!s);
            QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
            QCOMPARE(s.error().message, QStringLiteral("empty tag vocabulary"));
        }
        {
            TagExpertFactory f(enc, {QStringLiteral("  "), QString()});
            QVERIFY(!f.initialize({}));
        }
        {
            TagExpertFactory f(enc, kVocabulary, [](const QString &) { return false; });
            const Status s = f.initialize({});
            QVERIFY(!s);
            QCOMPARE(s.error().message, QStringLiteral("empty tag vocabulary: the encoder knows none of its 5 terms"));
        }
        const Result<TagCalibration> c = TagExpertFactory::calibrate(*enc, {}, {solid(QStringLiteral("apple"))}, {{QStringLiteral("apple")}});
        QVERIFY(!c);
        QCOMPARE(c.error().code, ErrorCode::InvalidArgument);
        JobContext ctx;
        QVERIFY(!TagExpertFactory::encodeLabels(*enc, {}, ctx));
    }

    void vocabularyBuilding()
    {
        int dropped = -1;
        const QStringList v = TagExpertFactory::buildVocabulary({QStringLiteral("Dog"), QStringLiteral("fire_engine"), QStringLiteral("dog")},
                                                                {QStringLiteral(" Red  Bus "), QStringLiteral("dog"), QStringLiteral("")},
                                                                {}, &dropped);
        QCOMPARE(v, (QStringList{QStringLiteral("dog"), QStringLiteral("fire engine"), QStringLiteral("red bus")}));
        QCOMPARE(dropped, 0);

        const Result<QStringList> wn = TagExpertFactory::builtinVocabulary();
        QVERIFY2(wn, qPrintable(wn ? QString() : wn.error().toString()));
        QVERIFY2(wn->size() > 3000 && wn->size() < 10000, qPrintable(QString::number(wn->size())));
        for (const char *w : {"dog", "apple", "bicycle", "tree", "woman", "bottle", "apple tree"})
            QVERIFY2(wn->contains(QString::fromLatin1(w)), w);
        for (const QString &l : wn.value())
            QVERIFY2(!l.startsWith(QLatin1Char('#')) && !l.contains(QLatin1Char('\t')) && l == l.toLower(), qPrintable(l));

        QCOMPARE(TagExpertFactory::loadVocabularyFile(QStringLiteral("/nonexistent/vocab.txt")).error().code, ErrorCode::NotFound);
    }

    void labelOccurs_data()
    {
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("occurs");
        QTest::newRow("case") << QStringLiteral("apple") << QStringLiteral("An Apple a day") << true;
        QTest::newRow("inside a word") << QStringLiteral("apple") << QStringLiteral("pineapple juice") << false;
        QTest::newRow("prefix of a word") << QStringLiteral("car") << QStringLiteral("a red carpet") << false;
        QTest::newRow("punctuation") << QStringLiteral("car") << QStringLiteral("My car.") << true;
        QTest::newRow("plural s") << QStringLiteral("tree") << QStringLiteral("tall trees") << true;
        QTest::newRow("plural es") << QStringLiteral("bus") << QStringLiteral("two buses") << true;
        QTest::newRow("plural ies") << QStringLiteral("berry") << QStringLiteral("fresh berries") << true;
        QTest::newRow("irregular") << QStringLiteral("man") << QStringLiteral("three men walking") << true;
        QTest::newRow("two words") << QStringLiteral("sports car") << QStringLiteral("a red sports car") << true;
        QTest::newRow("two words apart") << QStringLiteral("sports car") << QStringLiteral("sports and a car") << false;
        QTest::newRow("plural only last word") << QStringLiteral("sports car") << QStringLiteral("sport cars") << false;
        QTest::newRow("empty text") << QStringLiteral("car") << QString() << false;
    }

    void labelOccurs()
    {
        QFETCH(QString, label);
        QFETCH(QString, text);
        QFETCH(bool, occurs);
        QCOMPARE(TagExpertFactory::labelOccursIn(label, text), occurs);
    }

    // Four held-out images, one candidate each (top_k 1):
    //   red    "An apple on a table"  -> apple 0.8165  correct
    //   green  "Trees in the park"    -> tree  0.8165  correct
    //   blue   "A car parked"         -> sky   0.8165  wrong (relevant: car)
    //   80% red, 20% green "an apple" -> apple 0.7921  correct
    // Thresholds: 0.8165 keeps 3 (2 correct, P 0.667); 0.7921 keeps 4 (3 correct,
    // P 0.75). Relevant pairs: 4, so recall at 0.7921 is 0.75.
    void calibrationMaths_data()
    {
        QTest::addColumn<double>("target");
        QTest::addColumn<int>("minPredictions");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<double>("precision");
        QTest::addColumn<double>("recall");
        QTest::addColumn<double>("best");

        const double low = labelSim(mixWeight(0.8));
        QTest::newRow("target 0.7") << 0.7 << 1 << true << low << 0.75 << 0.75 << 0.75;
        QTest::newRow("target 0.6: most recall") << 0.6 << 1 << true << low << 0.75 << 0.75 << 0.75;
        QTest::newRow("target 0.8: off") << 0.8 << 1 << false << 0.0 << 0.0 << 0.0 << 0.75;
        QTest::newRow("too little support: off") << 0.5 << 5 << false << 0.0 << 0.0 << 0.0 << 0.0;
    }

    void calibrationMaths()
    {
        QFETCH(double, target);
        QFETCH(int, minPredictions);
        QFETCH(bool, enabled);
        QFETCH(double, threshold);
        QFETCH(double, precision);
        QFETCH(double, recall);
        QFETCH(double, best);

        FakeEncoder enc(false);
        const QStringList vocab{QStringLiteral("apple"), QStringLiteral("tree"), QStringLiteral("sky"), QStringLiteral("car")};
        const QList<QImage> images{solid(QStringLiteral("apple")), solid(QStringLiteral("tree")), solid(QStringLiteral("sky")),
                                   mixImage(QStringLiteral("apple"), QStringLiteral("tree"), 0.8)};
        const QVector<QStringList> texts{{QStringLiteral("An apple on a table")},
                                         {QStringLiteral("Trees in the park"), QStringLiteral("alt: park")},
                                         {QStringLiteral("A car parked")},
                                         {QStringLiteral("an apple")}};
        TagCalibrationOptions opt;
        opt.targetPrecision = target;
        opt.topK = 1;
        opt.minPredictions = minPredictions;
        const Result<TagCalibration> r = TagExpertFactory::calibrate(enc, vocab, images, texts, opt);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        const TagCalibration &c = r.value();
        QCOMPARE(c.enabled, enabled);
        QCOMPARE(c.images, 4);
        QCOMPARE(c.relevant, 4);
        QCOMPARE(c.encoderName, QStringLiteral("fake-colour-v1"));
        QVERIFY2(qAbs(c.bestPrecision - best) < 1e-9, qPrintable(QString::number(c.bestPrecision)));
        if (enabled) {
            QVERIFY2(qAbs(c.threshold - threshold) < 1e-5, qPrintable(QString::number(c.threshold)));
            QVERIFY(qAbs(c.precision - precision) < 1e-9);
            QVERIFY(qAbs(c.recall - recall) < 1e-9);
            QCOMPARE(c.predicted, 4);
            QCOMPARE(c.correct, 3);
        } else {
            QVERIFY2(c.reason.contains(QStringLiteral("tags off")), qPrintable(c.reason));
        }
        // Confidence curve: non-decreasing precision-at-or-above, (0.7921, 0.667) (0.8165, 0.667).
        QCOMPARE(c.curve.size(), 2);
        QVERIFY(qAbs(c.curve[0].y() - 2.0 / 3.0) < 1e-9);
        QVERIFY(qAbs(c.curve[1].y() - 2.0 / 3.0) < 1e-9);
        QVERIFY(qAbs(c.confidenceFor(0.9) - 2.0 / 3.0) < 1e-9);

        // The calibration drives the factory: on, with its threshold; or off.
        TagExpertFactory factory(std::make_shared<FakeEncoder>(false), vocab);
        factory.setCalibration(c);
        const Status s = factory.initialize({{QStringLiteral("top_k"), 3}});
        QCOMPARE(s.ok(), enabled);
        if (!enabled) {
            QCOMPARE(s.error().code, ErrorCode::Unsupported);
            QVERIFY2(s.error().message.contains(QStringLiteral("tags are off")), qPrintable(s.error().message));
            return;
        }
        QCOMPARE(factory.threshold(), c.threshold);
        const Result<Findings> found = factory.create()->analyze(mixImage(QStringLiteral("apple"), QStringLiteral("tree"), 0.8));
        QVERIFY(found);
        QCOMPARE(found->size(), 1); // tree (0.198) is below the calibrated threshold
        QCOMPARE(found->at(0).text, QStringLiteral("apple"));
        QVERIFY(qAbs(found->at(0).confidence - 2.0 / 3.0) < 1e-9);
    }

    void calibrationFromAnotherEncoderIsRefused()
    {
        TagCalibration c;
        c.enabled = true;
        c.encoderName = QStringLiteral("ViT-B-32/openai");
        c.threshold = 0.3;
        TagExpertFactory f(std::make_shared<FakeEncoder>(false), kVocabulary);
        f.setCalibration(c);
        const Status s = f.initialize({});
        QVERIFY(!s);
        QCOMPARE(s.error().code, ErrorCode::Unsupported);
        QVERIFY(s.error().message.contains(QStringLiteral("recalibrate")));
    }

    void calibrationInputErrors()
    {
        FakeEncoder enc(false);
        const QList<QImage> one{solid(QStringLiteral("apple"))};
        QCOMPARE(TagExpertFactory::calibrate(enc, kVocabulary, {}, {}).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(TagExpertFactory::calibrate(enc, kVocabulary, one, {}).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(TagExpertFactory::calibrate(enc, kVocabulary, {QImage()}, {{QStringLiteral("x")}}).error().code, ErrorCode::InvalidArgument);
        TagCalibrationOptions bad;
        bad.targetPrecision = 1.5;
        QCOMPARE(TagExpertFactory::calibrate(enc, kVocabulary, one, {{QStringLiteral("x")}}, bad).error().code, ErrorCode::InvalidArgument);
        enc.failTexts = true;
        const auto r = TagExpertFactory::calibrate(enc, kVocabulary, one, {{QStringLiteral("x")}});
        QVERIFY(!r);
        QCOMPARE(r.error().message, QStringLiteral("text tower exploded"));
        JobContext canceled;
        canceled.cancel();
        enc.failTexts = false;
        QCOMPARE(TagExpertFactory::calibrate(enc, kVocabulary, one, {{QStringLiteral("x")}}, {}, &canceled).error().code, ErrorCode::Canceled);
    }

    void calibrationJsonRoundTrip()
    {
        TagCalibration c;
        c.enabled = true;
        c.encoderName = QStringLiteral("builtin-corpus-cca-v1");
        c.threshold = 0.4125;
        c.targetPrecision = 0.8;
        c.precision = 0.83;
        c.recall = 0.21;
        c.images = 200;
        c.predicted = 120;
        c.correct = 100;
        c.relevant = 480;
        c.curve = {QPointF(0.3, 0.5), QPointF(0.4125, 0.83)};
        c.reason = QStringLiteral("ok");
        const TagCalibration d = TagCalibration::fromJson(QJsonDocument::fromJson(QJsonDocument(c.toJson()).toJson()).object());
        QCOMPARE(d.enabled, true);
        QCOMPARE(d.encoderName, c.encoderName);
        QCOMPARE(d.threshold, c.threshold);
        QCOMPARE(d.curve, c.curve);
        QCOMPARE(d.relevant, 480);
        QCOMPARE(d.confidenceFor(0.35), 0.5);
        QCOMPARE(d.confidenceFor(0.5), 0.83);
        QCOMPARE(d.confidenceFor(0.1), 0.5);
    }
};

QTEST_GUILESS_MAIN(TestTagExpert)
#include "test_tagexpert.moc"
