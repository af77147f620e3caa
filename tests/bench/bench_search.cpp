// The curator's search (core/index/imagesearch) at 100k and 1M images:
// full text (BM25 over each image's texts), semantic (the built-in
// encoder's text tower, then FAISS inner product over the image vectors) and
// "more like this" (an image's own vector). 100 fixed queries of 1–4 words
// drawn by frequency from the corpus's own words, stop words excluded; one
// thread issues them one by one, as a curator typing would. Prints median
// and p95 per mode; the figures are recorded in tests/bench/RESULTS.md.
//
//   REALSYN_BENCH_SEARCH_N=n   only this many images (default: 100000 and 1000000)

#include "core/embed/builtinencoder.h"
#include "core/index/bm25index.h"
#include "core/index/imagesearch.h"
#include "core/index/retriever.h"
#include "tests/bench/sizerows.h"
#include "tests/bench/syntheticdata.h"

#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <random>

using namespace rs;

namespace {

constexpr int kVocabulary = 50000;
constexpr int kDims = 64; // the built-in encoder's default width

// Corpus words: a Zipfian vocabulary (w0 as frequent as "layer" in a real
// manual), with English stop words mixed in as real text has them.
class Words {
public:
    explicit Words(quint64 seed) : m_rng(seed)
    {
        double sum = 0;
        for (int i = 1; i <= kVocabulary; ++i)
            m_cdf.push_back(sum += 1.0 / i);
        for (double &c : m_cdf)
            c /= sum;
    }
    QString word()
    {
        if (m_rng() % 4 == 0)
            return QString::fromLatin1(kStop[m_rng() % std::size(kStop)]);
        const double u = std::uniform_real_distribution<double>(0, 1)(m_rng);
        return QStringLiteral("w%1").arg(std::lower_bound(m_cdf.begin(), m_cdf.end(), u) - m_cdf.begin());
    }
    QString text(int words)
    {
        QStringList w;
        for (int i = 0; i < words; ++i)
            w << word();
        return w.join(QLatin1Char(' '));
    }
    std::mt19937_64 &rng() { return m_rng; }

private:
    static constexpr const char *kStop[] = {"the", "of", "and", "a", "to", "in", "is", "with", "for", "on"};
    std::mt19937_64 m_rng;
    std::vector<double> m_cdf;
};

struct Latency {
    double median = 0, p95 = 0;
};

Latency summarise(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

// A fitted built-in encoder whose vocabulary is the corpus's head words:
// encoding cost per query does not depend on the number of images.
std::shared_ptr<IEncoder> fittedEncoder(Words &words)
{
    QList<QImage> images;
    QVector<AlignedPair> pairs;
    for (int i = 0; i < 40; ++i) {
        QImage img(96, 96, QImage::Format_RGB888);
        img.fill(QColor::fromHsv(i * 9 % 360, 80 + i * 4, 100 + i * 3));
        QPainter p(&img);
        p.fillRect(i % 50, 10, 30, 20 + i, QColor::fromHsv((i * 37) % 360, 200, 200));
        p.end();
        images << img;
        for (int j = 0; j < 3; ++j)
            pairs.push_back({i, words.text(12)});
    }
    JobContext ctx;
    auto enc = BuiltinEncoder::fit(images, pairs, {}, BuiltinEncoderOptions{}, ctx);
    if (!enc) {
        qWarning() << enc.error().toString();
        return nullptr;
    }
    return enc.value();
}

} // namespace

class BenchSearch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void queryLatency_data()
    {
        rs::test::addSizeRows("REALSYN_BENCH_SEARCH_N");
    }
    void queryLatency()
    {
        QFETCH(qint64, n);
        Words words(7);
        ImageSearchData data;
        data.textIds.reserve(n);
        data.texts.reserve(n);
        // Each image: an alt text, three retrieved sentences and a synthetic
        // text, about 60 words in all.
        for (qint64 i = 0; i < n; ++i) {
            data.textIds.push_back(i + 1);
            data.texts << words.text(40 + int(words.rng()() % 41));
        }
        const test::ClusteredData points = test::makeClusteredData(n, 1000, kDims, 1.0f, 11);
        data.vectors = points.points;
        for (qint64 i = 0; i < n; ++i)
            data.vectorIds.push_back(i + 1);
        data.encoder = fittedEncoder(words);
        QVERIFY(data.encoder);
        const Matrix vectors = data.vectors; // for the exact reference below
        QElapsedTimer t;
        t.start();
        auto built = ImageSearch::build(std::move(data));
        QVERIFY(built.ok());
        const ImageSearch search = std::move(*built);
        const double buildS = t.elapsed() / 1000.0;

        // 100 fixed queries: 1–4 corpus words each, drawn by frequency,
        // stop words excluded, at most 4 terms (the cap).
        QStringList queries;
        std::mt19937_64 pick(2024);
        while (queries.size() < 100) {
            QStringList q;
            const int terms = 1 + int(pick() % 4);
            while (q.size() < terms) {
                const QString w = words.word();
                if (!Bm25Index::isStopWord(w) && !q.contains(w))
                    q << w;
            }
            queries << q.join(QLatin1Char(' '));
        }

        std::vector<double> text, semantic, similar;
        qint64 textHits = 0;
        for (int i = 0; i < queries.size(); ++i) {
            QElapsedTimer qt;
            qt.start();
            auto hits = search.text(queries[i], 100);
            text.push_back(qt.nsecsElapsed() / 1e6);
            QVERIFY(hits.ok());
            textHits += qint64(hits->size());

            qt.restart();
            auto sem = search.semantic(queries[i], 100);
            semantic.push_back(qt.nsecsElapsed() / 1e6);
            QVERIFY2(sem.ok(), qPrintable(sem.ok() ? QString() : sem.error().toString()));
            QCOMPARE(int(sem->size()), 100);

            qt.restart();
            auto sim = search.similar(1 + qint64(pick() % quint64(n)), 100);
            similar.push_back(qt.nsecsElapsed() / 1e6);
            QVERIFY(sim.ok());
            QCOMPARE(int(sim->size()), 100);
        }
        QVERIFY(textHits > 0);

        // Above kExactImages the dense part is approximate: its recall@10
        // against brute force, on 50 more-like-this queries.
        double found = 0;
        for (int i = 0; i < 50; ++i) {
            const qint64 id = 1 + qint64(pick() % quint64(n));
            Matrix q(1, kDims);
            std::copy_n(vectors.row(id - 1), kDims, q.row(0));
            auto exact = exactSearch(vectors, q, 11);
            auto approx = search.similar(id, 10);
            QVERIFY(exact.ok() && approx.ok());
            QSet<qint64> truth;
            for (const Hit &h : exact->front())
                if (h.item + 1 != id && truth.size() < 10)
                    truth.insert(h.item + 1);
            for (const ImageHit &h : *approx)
                found += truth.contains(h.imageId) ? 1 : 0;
        }
        const double recall = found / (50.0 * 10);
        QVERIFY(recall >= 0.9);
        const Latency lt = summarise(text), ls = summarise(semantic), lm = summarise(similar);
        qInfo("search over %lld images (%d-d vectors, %s): build %.1f s; per query (top 100) text median %.2f ms p95 %.2f ms;"
              " semantic median %.2f ms p95 %.2f ms; more-like-this median %.2f ms p95 %.2f ms; dense recall@10 %.3f",
              n, kDims, n > ImageSearch::kExactImages ? "IVF" : "exact", buildS, lt.median, lt.p95, ls.median, ls.p95, lm.median, lm.p95,
              recall);
    }
};

QTEST_MAIN(BenchSearch)
#include "bench_search.moc"
