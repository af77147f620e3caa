// Lexical retrieval bench: BM25 queries over synthetic sentences with a
// Zipfian vocabulary (so the head terms are as frequent as "layer" or "image"
// in a real corpus). Prints build time and per-query median / p90 latency of
// one thread; the figures are recorded in tests/bench/RESULTS.md.
//
//   REALSYN_BENCH_BM25_N=n   sentences (default 1,000,000)

#include "core/index/bm25index.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace rs;

namespace {

constexpr int kVocabulary = 50000;

// Words w0 (most frequent) .. w49999 with Zipf exponent 1.
class ZipfWords {
public:
    explicit ZipfWords(quint64 seed) : m_rng(seed)
    {
        double sum = 0;
        m_cdf.reserve(kVocabulary);
        for (int i = 1; i <= kVocabulary; ++i) {
            sum += 1.0 / i;
            m_cdf.push_back(sum);
        }
        for (double &c : m_cdf)
            c /= sum;
    }
    QString next()
    {
        const double u = std::uniform_real_distribution<double>(0, 1)(m_rng);
        const int i = int(std::lower_bound(m_cdf.begin(), m_cdf.end(), u) - m_cdf.begin());
        return QStringLiteral("w%1").arg(i);
    }
    QString sentence(int words)
    {
        QStringList w;
        for (int i = 0; i < words; ++i)
            w << next();
        return w.join(QLatin1Char(' '));
    }
    std::mt19937_64 &rng() { return m_rng; }

private:
    std::mt19937_64 m_rng;
    std::vector<double> m_cdf;
};

} // namespace

class BenchBm25 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void queryLatency()
    {
        const qint64 n = qEnvironmentVariableIsSet("REALSYN_BENCH_BM25_N") ? qEnvironmentVariable("REALSYN_BENCH_BM25_N").toLongLong() : 1000000;
        ZipfWords words(1);
        QStringList texts;
        texts.reserve(n);
        for (qint64 i = 0; i < n; ++i)
            texts << words.sentence(5 + int(words.rng()() % 21));
        QElapsedTimer t;
        t.start();
        const Bm25Index index = Bm25Index::build(texts);
        const double buildS = t.elapsed() / 1000.0;

        // Queries shaped like the retrieval stage's: OCR words plus three
        // context sentences, 40 words, head terms included.
        std::vector<double> ms;
        for (int q = 0; q < 300; ++q) {
            const QString query = words.sentence(40);
            QElapsedTimer qt;
            qt.start();
            const auto hits = index.search(query, 100);
            ms.push_back(qt.nsecsElapsed() / 1e6);
            QVERIFY(!hits.empty());
        }
        std::sort(ms.begin(), ms.end());
        qInfo("BM25 over %lld sentences (%lld terms): build %.1f s; query (40 words, <= 64 terms, top 100) median %.2f ms, p90 %.2f ms, max %.2f ms",
              n, index.termCount(), buildS, ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.back());
    }
};

QTEST_GUILESS_MAIN(BenchBm25)
#include "bench_bm25.moc"
