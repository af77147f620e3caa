#include "core/sample/balancer.h"

#include <QRandomGenerator>
#include <QTest>

using namespace rs;

namespace {
// Zipf-like cluster sizes: a few huge clusters and a long tail, as web data.
std::vector<int> skewedAssignment(int clusters, quint32 seed)
{
    std::vector<int> a;
    for (int c = 0; c < clusters; ++c)
        for (int i = 0; i < 2000 / (c + 1); ++i)
            a.push_back(c);
    QRandomGenerator rng(seed);
    for (size_t i = a.size(); i > 1; --i)
        std::swap(a[i - 1], a[rng.bounded(quint32(i))]);
    return a;
}
} // namespace

class TestBalancer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void capIsRespectedAndSmallClustersStayWhole_data()
    {
        QTest::addColumn<int>("cap");
        QTest::newRow("20 (15M release)") << 20;
        QTest::newRow("35 (30M release)") << 35;
        QTest::newRow("180 (100M release)") << 180;
    }
    void capIsRespectedAndSmallClustersStayWhole()
    {
        QFETCH(int, cap);
        const std::vector<int> a = skewedAssignment(200, 1);
        const std::vector<bool> keep = capPerCluster(a, cap, 7);
        const ClusterStats before = clusterStats(a, 200);
        const ClusterStats after = clusterStats(a, 200, keep);
        for (int c = 0; c < 200; ++c)
            QCOMPARE(after.sizes[c], std::min<qint64>(before.sizes[c], cap));
        QVERIFY(after.gini < before.gini);
        QVERIFY(after.entropy > before.entropy);
        QCOMPARE(after.maxCluster, std::min<qint64>(cap, before.maxCluster));
    }

    void seedIsReproducible()
    {
        const std::vector<int> a = skewedAssignment(50, 2);
        QCOMPARE(capPerCluster(a, 10, 3), capPerCluster(a, 10, 3));
        QVERIFY(capPerCluster(a, 10, 3) != capPerCluster(a, 10, 4));
        QCOMPARE(metaclipSample(a, 10, 3), metaclipSample(a, 10, 3));
    }

    void samplingIsUniformInsideACluster()
    {
        // One cluster of 100, cap 10, many seeds: every member is chosen ~10% of the time.
        std::vector<int> a(100, 0);
        std::vector<int> hits(100, 0);
        for (quint64 seed = 0; seed < 2000; ++seed) {
            const auto keep = capPerCluster(a, 10, seed);
            for (int i = 0; i < 100; ++i)
                hits[i] += keep[i] ? 1 : 0;
        }
        for (int h : hits)
            QVERIFY2(h > 120 && h < 290, qPrintable(QString::number(h))); // expected 200
    }

    void metaclipKeepsAboutTPerCluster()
    {
        const std::vector<int> a = skewedAssignment(100, 5);
        const auto keep = metaclipSample(a, 20, 11);
        const ClusterStats before = clusterStats(a, 100);
        const ClusterStats after = clusterStats(a, 100, keep);
        // Cluster 0 has 2000 members: expect ~20 kept.
        QVERIFY(after.sizes[0] > 5 && after.sizes[0] < 40);
        // Clusters with n <= t are kept whole.
        for (int c = 0; c < 100; ++c)
            if (before.sizes[c] <= 20)
                QCOMPARE(after.sizes[c], before.sizes[c]);
    }

    void statsOfKnownDistributions()
    {
        const std::vector<int> even{0, 0, 1, 1, 2, 2, 3, 3};
        const ClusterStats s = clusterStats(even, 4);
        QCOMPARE(s.count, 8);
        QCOMPARE(s.clusters, 4);
        QCOMPARE(s.gini, 0.0);
        QCOMPARE(s.entropy, 2.0);
        QCOMPARE(s.medianCluster, 2.0);
        const std::vector<int> skew{0, 0, 0, 1};
        const ClusterStats t = clusterStats(skew, 3);
        QCOMPARE(t.clusters, 2);        // the empty cluster does not count
        QCOMPARE(t.maxCluster, 3);
        QCOMPARE(t.gini, 0.25);         // (2*1-3)*1 + (2*2-3)*3 = 2; 2 / (2*4)
        QVERIFY(qAbs(t.entropy - 0.8112781244591328) < 1e-12);
        const ClusterStats empty = clusterStats({}, 0);
        QCOMPARE(empty.count, 0);
    }

    void percentiles()
    {
        QCOMPARE(percentile({1, 2, 3, 4, 5}, 0.5), 3.0);
        QCOMPARE(percentile({1, 2, 3, 4, 5}, 0.0), 1.0);
        QCOMPARE(percentile({1, 2, 3, 4, 5}, 1.0), 5.0);
        QCOMPARE(percentile({0, 10}, 0.25), 2.5);
        QCOMPARE(percentile({}, 0.3), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestBalancer)
#include "test_balancer.moc"
