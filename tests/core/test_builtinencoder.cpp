#include "core/embed/builtinencoder.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>

using namespace rs;

namespace {

// Six visual categories drawn with OpenCV, each with its own words.
enum Category { RedCircles, BlueStripes, GreenNoise, TextStrokes, Gradient, Checkerboard, kCategories };

const char *const kVocabulary[kCategories][8] = {
    {"red", "circle", "circles", "round", "dot", "disc", "ball", "spots"},
    {"blue", "stripes", "striped", "lines", "bands", "diagonal", "navy", "streaks"},
    {"green", "noise", "texture", "grass", "grainy", "speckled", "moss", "rough"},
    {"text", "letters", "writing", "document", "page", "words", "typed", "screenshot"},
    {"gradient", "smooth", "fade", "transition", "blend", "soft", "sky", "ramp"},
    {"checkerboard", "squares", "chess", "grid", "tiles", "checked", "board", "chequered"},
};
const char *const kNoise[] = {"photo", "image", "picture", "of", "the", "nice", "today", "my",
                              "this", "shows", "look", "at", "from", "our", "website", "new"};

QImage toQImage(const cv::Mat &rgb)
{
    return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

cv::Mat drawCategory(int category, cv::RNG &rng, int w, int h)
{
    cv::Mat img(h, w, CV_8UC3, cv::Scalar::all(rng.uniform(235, 256)));
    switch (category) {
    case RedCircles: {
        const int count = rng.uniform(1, 4);
        for (int i = 0; i < count; ++i) {
            const int r = rng.uniform(std::min(w, h) / 10, std::min(w, h) / 3);
            cv::circle(img, {rng.uniform(0, w), rng.uniform(0, h)}, r,
                       cv::Scalar(rng.uniform(190, 256), rng.uniform(0, 50), rng.uniform(0, 50)), cv::FILLED,
                       cv::LINE_AA);
        }
        break;
    }
    case BlueStripes: {
        const double angle = rng.uniform(0.0, CV_PI), period = rng.uniform(8.0, 30.0);
        const cv::Vec3b blue(uchar(rng.uniform(0, 40)), uchar(rng.uniform(40, 100)), uchar(rng.uniform(180, 256)));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                if (std::fmod(x * std::cos(angle) + y * std::sin(angle) + 1000.0, period) < period / 2)
                    img.at<cv::Vec3b>(y, x) = blue;
        break;
    }
    case GreenNoise: {
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                img.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(rng.uniform(0, 70)), uchar(rng.uniform(90, 230)),
                                                     uchar(rng.uniform(0, 70)));
        const double sigma = rng.uniform(0.0, 1.5);
        if (sigma > 0.3)
            cv::GaussianBlur(img, img, cv::Size(0, 0), sigma);
        break;
    }
    case TextStrokes: {
        const double scale = rng.uniform(0.35, 0.7);
        const int lineHeight = int(30 * scale) + rng.uniform(4, 10);
        for (int y = lineHeight; y < h - 4; y += lineHeight) {
            std::string line;
            const int letters = rng.uniform(8, 40);
            for (int i = 0; i < letters; ++i)
                line += rng.uniform(0, 6) == 0 ? ' ' : char('a' + rng.uniform(0, 26));
            cv::putText(img, line, {rng.uniform(2, 12), y}, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar::all(0), 1,
                        cv::LINE_AA);
        }
        break;
    }
    case Gradient: {
        const cv::Vec3d from(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
        const cv::Vec3d to(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
        const double angle = rng.uniform(0.0, 2 * CV_PI), c = std::cos(angle), s = std::sin(angle);
        const double span = std::abs(c) * w + std::abs(s) * h;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const double t = std::clamp(((x - w / 2.0) * c + (y - h / 2.0) * s) / span + 0.5, 0.0, 1.0);
                const cv::Vec3d v = from * (1 - t) + to * t;
                img.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(v[0]), uchar(v[1]), uchar(v[2]));
            }
        break;
    }
    case Checkerboard: {
        const int cell = rng.uniform(6, 30), ox = rng.uniform(0, cell), oy = rng.uniform(0, cell);
        const uchar dark = uchar(rng.uniform(0, 40)), light = uchar(rng.uniform(200, 256));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                img.at<cv::Vec3b>(y, x) = cv::Vec3b::all(((x + ox) / cell + (y + oy) / cell) % 2 ? dark : light);
        break;
    }
    default:
        break;
    }
    return img;
}

QString describe(int category, cv::RNG &rng)
{
    QStringList words;
    const int own = rng.uniform(2, 5), noise = rng.uniform(1, 4);
    for (int i = 0; i < own; ++i)
        words << QString::fromLatin1(kVocabulary[category][rng.uniform(0, 8)]);
    for (int i = 0; i < noise; ++i)
        words << QString::fromLatin1(kNoise[rng.uniform(0, int(std::size(kNoise)))]);
    for (int i = int(words.size()) - 1; i > 0; --i)
        words.swapItemsAt(i, rng.uniform(0, i + 1));
    return words.join(u' ');
}

// Bitwise equality of two embedding matrices.
bool sameBits(const Matrix &a, const Matrix &b)
{
    return a.rows == b.rows && a.cols == b.cols
        && std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

} // namespace

class TestBuiltinEncoder : public QObject {
    Q_OBJECT

private:
    QList<QImage> m_trainImages;
    QVector<AlignedPair> m_trainPairs;
    QStringList m_corpus;
    QList<QImage> m_testImages;
    QStringList m_testTexts;
    QVector<int> m_testCategory;
    BuiltinEncoderOptions m_options;
    std::shared_ptr<BuiltinEncoder> m_encoder;
    QTemporaryDir m_dir;

    Result<std::shared_ptr<BuiltinEncoder>> fitDefault()
    {
        JobContext ctx;
        return BuiltinEncoder::fit(m_trainImages, m_trainPairs, m_corpus, m_options, ctx);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // 36 images per category; every fifth one is held out (20%).
        cv::RNG rng(20240601);
        const int perCategory = 36;
        for (int i = 0; i < perCategory * kCategories; ++i) {
            const int category = i % kCategories;
            const QImage image = toQImage(drawCategory(category, rng, rng.uniform(120, 320), rng.uniform(100, 260)));
            if (i / kCategories % 5 == 4) {
                m_testImages << image;
                m_testTexts << describe(category, rng);
                m_testCategory << category;
                continue;
            }
            m_trainImages << image;
            const qint64 index = m_trainImages.size() - 1;
            const QString caption = describe(category, rng);
            const QString neighbour = describe(category, rng);
            m_trainPairs.append(AlignedPair{index, caption, 1.0});
            m_trainPairs.append(AlignedPair{index, neighbour, 0.5});
            m_corpus << caption << neighbour;
        }
        for (int i = 0; i < 100; ++i) // unrelated sentences of the same corpus
            m_corpus << QStringLiteral("meeting notes number %1 from the committee about budgets").arg(i);
        m_options.dimension = 32;
        m_options.seed = 7;

        QElapsedTimer timer;
        timer.start();
        JobContext ctx({}, [](const JobIssue &issue) { qInfo().noquote() << issue.text; });
        auto fitted = BuiltinEncoder::fit(m_trainImages, m_trainPairs, m_corpus, m_options, ctx);
        QVERIFY2(fitted.ok(), qPrintable(fitted ? QString() : fitted.error().toString()));
        m_encoder = fitted.value();
        qInfo("fit on %lld pairs / %lld images took %lld ms", qint64(m_trainPairs.size()),
              qint64(m_trainImages.size()), timer.elapsed());
    }

    void infoSaysNotClip()
    {
        const EncoderInfo info = m_encoder->info();
        QCOMPARE(info.name, QStringLiteral("builtin-corpus-cca-v1"));
        QCOMPARE(info.dimension, 32);
        QVERIFY(!info.clipFamily);
        QVERIFY(info.preprocessing.contains(QStringLiteral("Not CLIP")));
    }

    void heldOutRetrievalBeatsChance()
    {
        JobContext ctx;
        auto img = m_encoder->encodeImages(m_testImages, ctx);
        auto txt = m_encoder->encodeTexts(m_testTexts, ctx);
        QVERIFY(img.ok() && txt.ok());
        const int n = int(m_testImages.size());
        int exactTop1 = 0, exactTop5 = 0, categoryTop1 = 0, textToImageTop1 = 0;
        std::vector<float> sim(size_t(n) * size_t(n));
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                float s = 0;
                for (int k = 0; k < img->cols; ++k)
                    s += img->row(i)[k] * txt->row(j)[k];
                sim[size_t(i) * size_t(n) + size_t(j)] = s;
            }
        for (int i = 0; i < n; ++i) {
            const float *row = sim.data() + size_t(i) * size_t(n);
            const int best = int(std::max_element(row, row + n) - row);
            int rankOfOwn = 0;
            for (int j = 0; j < n; ++j)
                rankOfOwn += row[j] > row[i];
            exactTop1 += best == i;
            exactTop5 += rankOfOwn < 5;
            categoryTop1 += m_testCategory[best] == m_testCategory[i];
            int bestImage = 0;
            for (int k = 1; k < n; ++k)
                if (sim[size_t(k) * size_t(n) + size_t(i)] > sim[size_t(bestImage) * size_t(n) + size_t(i)])
                    bestImage = k;
            textToImageTop1 += m_testCategory[bestImage] == m_testCategory[i];
        }
        // Chance of a same-category top-1: the share of same-category texts.
        double chanceCategory = 0;
        for (int c = 0; c < kCategories; ++c) {
            const double share = double(m_testCategory.count(c)) / n;
            chanceCategory += share * share;
        }
        const double category = double(categoryTop1) / n;
        const double exact1 = double(exactTop1) / n, exact5 = double(exactTop5) / n;
        qInfo("held-out image->text (%d images, %d texts): same-category R@1 %.3f (chance %.3f), "
              "exact-pair R@1 %.3f (chance %.3f), exact-pair R@5 %.3f (chance %.3f); "
              "text->image same-category R@1 %.3f",
              n, n, category, chanceCategory, exact1, 1.0 / n, exact5, 5.0 / n, double(textToImageTop1) / n);
        QVERIFY2(category > 3 * chanceCategory, qPrintable(QString::number(category)));
        QVERIFY2(double(textToImageTop1) / n > 3 * chanceCategory, qPrintable(QString::number(textToImageTop1)));
        // The exact text of an image differs from its category mates only in
        // random words, so exact-pair retrieval is bounded near 1/category size.
        QVERIFY2(exact5 > 2 * 5.0 / n, qPrintable(QString::number(exact5)));
    }

    void embeddingsAreUnitRowsOfWidthD()
    {
        JobContext ctx;
        QStringList texts = m_testTexts;
        texts << QString() << QStringLiteral("zebra quantum") << QStringLiteral("!!!");
        auto txt = m_encoder->encodeTexts(texts, ctx);
        // Odd shapes and formats the pipeline may pass: tiny, extreme aspect, grey, indexed.
        QList<QImage> images = m_testImages;
        QImage tiny(1, 1, QImage::Format_RGB888);
        tiny.fill(Qt::red);
        QImage sliver(500, 2, QImage::Format_RGB888);
        sliver.fill(Qt::blue);
        QImage grey = m_testImages[1].convertToFormat(QImage::Format_Grayscale8);
        QImage indexed = m_testImages[2].convertToFormat(QImage::Format_Indexed8);
        images << tiny << sliver << grey << indexed;
        auto img = m_encoder->encodeImages(images, ctx);
        QVERIFY(txt.ok() && img.ok());
        QCOMPARE(txt->rows, qint64(texts.size()));
        QCOMPARE(img->rows, qint64(images.size()));
        for (const Matrix *m : {&txt.value(), &img.value()}) {
            QCOMPARE(m->cols, 32);
            for (qint64 i = 0; i < m->rows; ++i) {
                double s = 0;
                for (int k = 0; k < m->cols; ++k)
                    s += double(m->row(i)[k]) * m->row(i)[k];
                QVERIFY2(std::abs(std::sqrt(s) - 1.0) < 1e-5, qPrintable(QString::number(std::sqrt(s))));
            }
        }
    }

    void encodingIsDeterministicAndBatchInvariant()
    {
        JobContext all, single;
        single.setThreads(1);
        auto batchImages = m_encoder->encodeImages(m_testImages, all);
        auto againImages = m_encoder->encodeImages(m_testImages, single);
        auto batchTexts = m_encoder->encodeTexts(m_testTexts, all);
        QVERIFY(batchImages.ok() && againImages.ok() && batchTexts.ok());
        QVERIFY(sameBits(batchImages.value(), againImages.value()));
        for (int i = 0; i < m_testImages.size(); ++i) {
            auto one = m_encoder->encodeImages({m_testImages[i]}, all);
            QVERIFY(one.ok());
            QVERIFY(std::memcmp(one->row(0), batchImages->row(i), sizeof(float) * 32) == 0);
            auto oneText = m_encoder->encodeTexts({m_testTexts[i]}, all);
            QVERIFY(oneText.ok());
            QVERIFY(std::memcmp(oneText->row(0), batchTexts->row(i), sizeof(float) * 32) == 0);
        }
        // A non-RGB888 copy of the same pixels encodes the same.
        auto argb = m_encoder->encodeImages({m_testImages[0].convertToFormat(QImage::Format_ARGB32)}, all);
        QVERIFY(argb.ok());
        QVERIFY(std::memcmp(argb->row(0), batchImages->row(0), sizeof(float) * 32) == 0);
    }

    void fitIsReproducible()
    {
        auto again = fitDefault();
        QVERIFY(again.ok());
        const QString a = m_dir.filePath(QStringLiteral("a.rsenc")), b = m_dir.filePath(QStringLiteral("b.rsenc"));
        QVERIFY(m_encoder->save(a).ok());
        QVERIFY(again.value()->save(b).ok());
        QCOMPARE(readAll(a), readAll(b));
    }

    // The embed stage fits from descriptor rows made as it decodes (so it
    // never holds every image decoded); the model must be the same bytes.
    void fitFromDescriptorsIsTheSameModel()
    {
        const size_t p = size_t(BuiltinEncoder::descriptorLength());
        std::vector<float> rows(size_t(m_trainImages.size()) * p);
        for (int i = 0; i < m_trainImages.size(); ++i)
            QVERIFY(BuiltinEncoder::describeImage(m_trainImages[i], rows.data() + size_t(i) * p));
        JobContext ctx;
        auto described = BuiltinEncoder::fitDescribed(rows, m_trainPairs, m_corpus, m_options, ctx);
        QVERIFY2(described.ok(), qPrintable(described ? QString() : described.error().toString()));
        const QString a = m_dir.filePath(QStringLiteral("images.rsenc")), b = m_dir.filePath(QStringLiteral("rows.rsenc"));
        QVERIFY(m_encoder->save(a).ok());
        QVERIFY(described.value()->save(b).ok());
        QCOMPARE(readAll(a), readAll(b));

        rows.pop_back(); // not whole rows
        QCOMPARE(BuiltinEncoder::fitDescribed(rows, m_trainPairs, m_corpus, m_options, ctx).error().code, ErrorCode::InvalidArgument);
        QVERIFY(!BuiltinEncoder::describeImage(QImage(), rows.data()));
    }

    void saveLoadRoundTripsBitExactly()
    {
        const QString path = m_dir.filePath(QStringLiteral("model.rsenc"));
        const QString copy = m_dir.filePath(QStringLiteral("model2.rsenc"));
        QVERIFY(m_encoder->save(path).ok());
        auto loaded = BuiltinEncoder::load(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded ? QString() : loaded.error().toString()));
        QVERIFY(loaded.value()->save(copy).ok());
        QCOMPARE(readAll(copy), readAll(path));
        qInfo("model file: %lld bytes", qint64(readAll(path).size()));

        JobContext ctx;
        auto a = m_encoder->encodeImages(m_testImages, ctx);
        auto b = loaded.value()->encodeImages(m_testImages, ctx);
        auto ta = m_encoder->encodeTexts(m_testTexts, ctx);
        auto tb = loaded.value()->encodeTexts(m_testTexts, ctx);
        QVERIFY(a.ok() && b.ok() && ta.ok() && tb.ok());
        QVERIFY(sameBits(a.value(), b.value()));
        QVERIFY(sameBits(ta.value(), tb.value()));
        QCOMPARE(loaded.value()->info().preprocessing, m_encoder->info().preprocessing);
        QCOMPARE(loaded.value()->knowsWord(QStringLiteral("checkerboard")), true);
    }

    void brokenModelFilesGiveClearErrors_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const int parse = int(ErrorCode::ParseError);
        QTest::newRow("missing") << "missing" << int(ErrorCode::NotFound) << "not found";
        QTest::newRow("empty") << "empty" << parse << "bad magic";
        QTest::newRow("not a model") << "text" << parse << "bad magic";
        QTest::newRow("truncated header") << "header" << parse << "truncated";
        QTest::newRow("truncated payload") << "payload" << parse << "truncated";
        QTest::newRow("flipped byte") << "flip" << parse << "checksum";
        QTest::newRow("trailing bytes") << "append" << parse << "unexpected bytes";
        QTest::newRow("newer version") << "version" << int(ErrorCode::Unsupported) << "version 9";
    }

    void brokenModelFilesGiveClearErrors()
    {
        QFETCH(QString, damage);
        QFETCH(int, code);
        QFETCH(QString, message);
        const QString good = m_dir.filePath(QStringLiteral("good.rsenc"));
        QVERIFY(m_encoder->save(good).ok());
        QByteArray bytes = readAll(good);
        QVERIFY(bytes.size() > 1000);
        const QString path = m_dir.filePath(QStringLiteral("broken-%1.rsenc").arg(damage));
        if (damage == QLatin1String("empty"))
            bytes.clear();
        else if (damage == QLatin1String("text"))
            bytes = "{\"model\": \"clip\"}\n";
        else if (damage == QLatin1String("header"))
            bytes.truncate(30);
        else if (damage == QLatin1String("payload"))
            bytes.chop(100);
        else if (damage == QLatin1String("flip"))
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10);
        else if (damage == QLatin1String("append"))
            bytes.append("junk");
        else if (damage == QLatin1String("version"))
            bytes[8] = 9;
        if (damage != QLatin1String("missing"))
            writeAll(path, bytes);
        auto loaded = BuiltinEncoder::load(path);
        QVERIFY(!loaded.ok());
        QCOMPARE(int(loaded.error().code), code);
        QVERIFY2(loaded.error().message.contains(message), qPrintable(loaded.error().toString()));
        QCOMPARE(loaded.error().context, path);
    }

    void fitRejectsUnusableInput_data()
    {
        QTest::addColumn<QString>("defect");
        QTest::addColumn<QString>("message");
        QTest::newRow("19 pairs") << "few" << "too few image–text pairs";
        QTest::newRow("no words") << "nowords" << "with words";
        QTest::newRow("one image") << "oneimage" << "distinct images";
        QTest::newRow("identical images") << "identical" << "images do not vary";
        QTest::newRow("identical texts") << "sametext" << "texts do not vary";
        QTest::newRow("index out of range") << "range" << "references image 9999";
        QTest::newRow("negative weight") << "weight" << "weights must be positive";
        QTest::newRow("null image") << "null" << "null";
        QTest::newRow("dimension 0") << "dimension" << "dimension";
    }

    void fitRejectsUnusableInput()
    {
        QFETCH(QString, defect);
        QFETCH(QString, message);
        QList<QImage> images = m_trainImages;
        QVector<AlignedPair> pairs = m_trainPairs;
        BuiltinEncoderOptions opts = m_options;
        if (defect == QLatin1String("few"))
            pairs.resize(BuiltinEncoder::kMinPairs - 1);
        else if (defect == QLatin1String("nowords"))
            for (AlignedPair &p : pairs)
                p.text = QStringLiteral("... !!! ---");
        else if (defect == QLatin1String("oneimage"))
            for (AlignedPair &p : pairs)
                p.imageIndex = 0;
        else if (defect == QLatin1String("identical"))
            for (QImage &image : images)
                image = m_trainImages[0];
        else if (defect == QLatin1String("sametext"))
            for (AlignedPair &p : pairs)
                p.text = QStringLiteral("the same words everywhere");
        else if (defect == QLatin1String("range"))
            pairs[3].imageIndex = 9999;
        else if (defect == QLatin1String("weight"))
            pairs[5].weight = -1;
        else if (defect == QLatin1String("null"))
            images[int(pairs[2].imageIndex)] = QImage();
        else if (defect == QLatin1String("dimension"))
            opts.dimension = 0;
        JobContext ctx;
        auto fitted = BuiltinEncoder::fit(images, pairs, {}, opts, ctx);
        QVERIFY(!fitted.ok());
        QCOMPARE(fitted.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(fitted.error().message.contains(message) || fitted.error().context.contains(message),
                 qPrintable(fitted.error().toString()));
    }

    void knowsOnlyFittedWords_data()
    {
        QTest::addColumn<QString>("word");
        QTest::addColumn<bool>("known");
        QTest::newRow("circle") << "circle" << true;
        QTest::newRow("upper case") << "Checkerboard" << true;
        QTest::newRow("two known words") << "red circle" << true;
        QTest::newRow("corpus-only word") << "committee" << true;
        QTest::newRow("unseen") << "zebra" << false;
        QTest::newRow("one unseen of two") << "red zebra" << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("punctuation") << "?!" << false;
    }

    void knowsOnlyFittedWords()
    {
        QFETCH(QString, word);
        QFETCH(bool, known);
        QCOMPARE(m_encoder->knowsWord(word), known);
    }

    void nullImageAndCancelAreErrors()
    {
        JobContext ctx;
        QList<QImage> batch = m_testImages.mid(0, 3);
        batch.insert(1, QImage());
        auto r = m_encoder->encodeImages(batch, ctx);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY(r.error().message.contains(QStringLiteral("image 1")));

        JobContext canceled;
        canceled.cancel();
        auto c = m_encoder->encodeImages(m_testImages, canceled);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Canceled);
    }

    void throughput()
    {
        // Photo-sized inputs: the descriptor downscales first, so the rate
        // should stay far above 2,000 images a minute on two cores.
        cv::RNG rng(99);
        QList<QImage> images;
        for (int i = 0; i < 240; ++i)
            images << toQImage(drawCategory(i % kCategories, rng, 800, 600));
        QStringList texts;
        for (int i = 0; i < 20000; ++i)
            texts << describe(i % kCategories, rng) + QStringLiteral(" and some more words of a longer sentence");
        JobContext ctx;
        QElapsedTimer timer;
        timer.start();
        auto img = m_encoder->encodeImages(images, ctx);
        const double imageSeconds = timer.nsecsElapsed() / 1e9;
        timer.restart();
        auto txt = m_encoder->encodeTexts(texts, ctx);
        const double textSeconds = timer.nsecsElapsed() / 1e9;
        QVERIFY(img.ok() && txt.ok());
        const double imagesPerSecond = images.size() / imageSeconds;
        qInfo("encoding rate: %.0f images/s (800x600 input), %.0f texts/s", imagesPerSecond,
              texts.size() / textSeconds);
        QVERIFY2(imagesPerSecond > 2000.0 / 60.0, qPrintable(QString::number(imagesPerSecond)));
    }
};

QTEST_GUILESS_MAIN(TestBuiltinEncoder)
#include "test_builtinencoder.moc"
