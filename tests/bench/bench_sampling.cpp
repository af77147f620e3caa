// Stage-4 benchmark: semantic balance sampling on synthetic clustered image
// embeddings (skewed cluster sizes, as web data), at 100k and 1M samples.
// Measures k-means (the expensive, cached part) and re-sampling with another
// cap (what a curator's slider does). d = 64, the built-in encoder's width;
// REALSYN_BENCH_DIM overrides (512 for CLIP-sized vectors).

#include "core/index/kmeans.h"
#include "core/sample/balancer.h"
#include "tests/bench/syntheticdata.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace rs;

class BenchSampling : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sampling_data()
    {
        QTest::addColumn<qint64>("n");
        QTest::newRow("100k") << qint64(100000);
        QTest::newRow("1M") << qint64(1000000);
    }
    void sampling()
    {
        QFETCH(qint64, n);
        const int dim = qEnvironmentVariableIntValue("REALSYN_BENCH_DIM") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_DIM") : 64;
        const int runs = qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 3;
        // Skew: most points in a few clusters (duplicate-heavy topics).
        test::ClusteredData data = test::makeClusteredData(n, 2000, dim, 0.6f, 1);
        KMeansOptions km;
        km.clusters = defaultClusterCount(n);
        km.iterations = 10;
        QVector<double> kmeansS, capS, statsS;
        std::vector<int> assignment;
        for (int r = 0; r < runs; ++r) {
            QElapsedTimer t;
            t.start();
            auto result = kmeans(data.points, km);
            QVERIFY(result.ok());
            kmeansS << t.elapsed() / 1000.0;
            assignment = result->assignment;
            t.restart();
            const std::vector<bool> keep = capPerCluster(assignment, 20 + r, quint64(r));
            capS << t.elapsed() / 1000.0;
            t.restart();
            const ClusterStats after = clusterStats(assignment, km.clusters, keep);
            statsS << t.elapsed() / 1000.0;
            QVERIFY(after.maxCluster <= 20 + r);
        }
        std::sort(kmeansS.begin(), kmeansS.end());
        std::sort(capS.begin(), capS.end());
        std::sort(statsS.begin(), statsS.end());
        qInfo("n=%lld d=%d clusters=%d: k-means (10 iterations) %.2f s; re-sampling with a new cap %.1f ms + statistics %.1f ms (median of %d)",
              n, dim, km.clusters, kmeansS[runs / 2], capS[runs / 2] * 1000, statsS[runs / 2] * 1000, runs);
    }
};

QTEST_GUILESS_MAIN(BenchSampling)
#include "bench_sampling.moc"
