// Stage 2 bench: hierarchical (k-means + probe nearest centres) vs exact
// retrieval on synthetic clustered embeddings (d = 512, unit rows).
// Prints median-of-N timings and overlap@3 with exact search; the figures
// are recorded in tests/bench/RESULTS.md.
//
//   REALSYN_BENCH_1M=1    also run the 1M-sentence case (several minutes per run on 2 cores)
//   REALSYN_BENCH_RUNS=n  repetitions per case (default 3; the median is reported)

#include "core/index/retriever.h"
#include "tests/bench/syntheticdata.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <set>

using namespace rs;

namespace {

constexpr int kDims = 512;
constexpr qint64 kQueries = 1000;
constexpr int kTopK = 3;

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double overlapAtK(const HitLists &a, const HitLists &b, int k)
{
    double sum = 0;
    for (size_t q = 0; q < a.size(); ++q) {
        std::set<qint64> exact;
        for (const Hit &h : b[q])
            exact.insert(h.item);
        int common = 0;
        for (const Hit &h : a[q])
            common += int(exact.count(h.item));
        sum += double(common) / k;
    }
    return sum / double(a.size());
}

} // namespace

class BenchRetrieval : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hierarchicalVsExact_data()
    {
        QTest::addColumn<qint64>("sentences");
        QTest::newRow("100k") << qint64(100000);
        QTest::newRow("1M") << qint64(1000000);
    }
    void hierarchicalVsExact()
    {
        QFETCH(qint64, sentences);
        if (sentences > 100000 && qEnvironmentVariableIntValue("REALSYN_BENCH_1M") != 1)
            QSKIP("set REALSYN_BENCH_1M=1 to run the 1M-sentence case");
        const int runs = std::max(1, qEnvironmentVariableIsSet("REALSYN_BENCH_RUNS")
                                         ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 3);

        // About 100 sentences per topic, spread 1 (cos ~0.5 inside a topic);
        // queries are drawn around the same topics, as images near their text.
        QElapsedTimer t;
        t.start();
        const int topics = int(sentences / 100);
        const test::ClusteredData data = test::makeClusteredData(sentences, topics, kDims, 1.0f, 42);
        const test::ClusteredData queries = test::samplesAround(data.centres, kQueries, 1.0f, 43);
        qInfo("generated %lld x %d sentences (%d topics) + %lld queries in %.1f s", sentences, kDims, topics,
              kQueries, t.elapsed() / 1000.0);

        KMeansOptions ko; // defaults: round(sqrt(n)) centres, 20 iterations, 256 points/centre for training
        ko.seed = 7;
        const std::vector<int> probes{1, 4, 16};
        std::vector<double> buildTimes, exactTimes;
        std::vector<std::vector<double>> searchTimes(probes.size());
        std::vector<double> overlaps(probes.size());
        int clusters = 0;
        for (int run = 0; run < runs; ++run) {
            t.restart();
            const Result<HierarchicalRetriever> index = HierarchicalRetriever::build(data.points, ko);
            buildTimes.push_back(t.elapsed() / 1000.0);
            QVERIFY(index.ok());
            clusters = int(index->clustering().centroids.rows);

            t.restart();
            const Result<HitLists> exact = exactSearch(data.points, queries.points, kTopK);
            exactTimes.push_back(t.elapsed() / 1000.0);
            QVERIFY(exact.ok());

            for (size_t p = 0; p < probes.size(); ++p) {
                RetrieveOptions ro;
                ro.k = kTopK;
                ro.clusters = probes[p];
                t.restart();
                const Result<HitLists> hier = index->search(queries.points, ro);
                searchTimes[p].push_back(t.elapsed() / 1000.0);
                QVERIFY(hier.ok());
                overlaps[p] = overlapAtK(hier.value(), exact.value(), kTopK);
            }
            qInfo("run %d: build %.2f s, exact %.3f s", run + 1, buildTimes.back(), exactTimes.back());
        }
        qInfo("| sentences | centres | k-means + index build (s) | exact search, %lld queries (s) |", kQueries);
        qInfo("| %lld | %d | %.2f | %.3f |", sentences, clusters, median(buildTimes), median(exactTimes));
        qInfo("| probes | hierarchical search, %lld queries (s) | queries/s | overlap@3 vs exact |", kQueries);
        for (size_t p = 0; p < probes.size(); ++p) {
            const double s = median(searchTimes[p]);
            qInfo("| %d | %.4f | %.0f | %.4f |", probes[p], s, double(kQueries) / std::max(s, 1e-9), overlaps[p]);
        }
        // Sanity, not a performance gate: more probes never lose overlap here,
        // and 16 probes is close to exact on this data.
        QVERIFY(overlaps.back() >= overlaps.front());
        QVERIFY(overlaps.back() >= 0.95);
    }
};

QTEST_GUILESS_MAIN(BenchRetrieval)
#include "bench_retrieval.moc"
