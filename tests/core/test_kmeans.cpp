#include "core/index/centresfile.h"
#include "core/index/kmeans.h"
#include "tests/bench/syntheticdata.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

using namespace rs;

namespace {

// Fraction of points whose k-means cluster's majority true label is their own.
double purity(const std::vector<int> &assignment, const std::vector<int> &label)
{
    std::map<int, std::map<int, int>> counts;
    for (size_t i = 0; i < assignment.size(); ++i)
        ++counts[assignment[i]][label[i]];
    qint64 majority = 0;
    for (const auto &[cluster, byLabel] : counts) {
        int best = 0;
        for (const auto &[l, c] : byLabel)
            best = std::max(best, c);
        majority += best;
    }
    return double(majority) / double(assignment.size());
}

double dot(const float *a, const float *b, int d)
{
    double s = 0;
    for (int j = 0; j < d; ++j)
        s += double(a[j]) * b[j];
    return s;
}

double l2sq(const float *a, const float *b, int d)
{
    double s = 0;
    for (int j = 0; j < d; ++j)
        s += (double(a[j]) - b[j]) * (double(a[j]) - b[j]);
    return s;
}

} // namespace

class TestKMeans : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultClusterCount_data()
    {
        QTest::addColumn<qint64>("n");
        QTest::addColumn<int>("expected");
        QTest::newRow("none") << qint64(0) << 0;
        QTest::newRow("negative") << qint64(-5) << 0;
        QTest::newRow("one") << qint64(1) << 1;
        QTest::newRow("two") << qint64(2) << 1;
        QTest::newRow("three rounds up") << qint64(3) << 2;
        QTest::newRow("hundred") << qint64(100) << 10;
        QTest::newRow("million") << qint64(1000000) << 1000;
    }
    void defaultClusterCount()
    {
        QFETCH(qint64, n);
        QFETCH(int, expected);
        QCOMPARE(rs::defaultClusterCount(n), expected);
    }

    void recoversSeparatedClusters_data()
    {
        QTest::addColumn<int>("clusters");
        QTest::addColumn<int>("dims");
        QTest::addColumn<bool>("spherical");
        QTest::newRow("5 clusters, d=16, cosine") << 5 << 16 << true;
        QTest::newRow("20 clusters, d=64, cosine") << 20 << 64 << true;
        QTest::newRow("20 clusters, d=64, L2") << 20 << 64 << false;
    }
    void recoversSeparatedClusters()
    {
        QFETCH(int, clusters);
        QFETCH(int, dims);
        QFETCH(bool, spherical);
        const test::ClusteredData data = test::makeClusteredData(clusters * 100, clusters, dims, 0.3f, 7);
        KMeansOptions opts;
        opts.clusters = clusters;
        opts.seed = 3;
        opts.sphericalCosine = spherical;
        const Result<KMeansResult> r = kmeans(data.points, opts);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(r->centroids.rows, qint64(clusters));
        QCOMPARE(r->centroids.cols, dims);
        QCOMPARE(r->assignment.size(), size_t(data.points.rows));
        const double p = purity(r->assignment, data.label);
        qInfo("purity %.4f (%d true clusters, d=%d)", p, clusters, dims);
        QVERIFY2(p >= 0.98, qPrintable(QStringLiteral("purity %1").arg(p)));
    }

    // Training subsamples (maxPointsPerCentroid) but every point is assigned
    // to its truly nearest final centre, with the documented distance.
    void assignsEveryPointToNearestCentre_data()
    {
        QTest::addColumn<bool>("spherical");
        QTest::newRow("cosine") << true;
        QTest::newRow("L2") << false;
    }
    void assignsEveryPointToNearestCentre()
    {
        QFETCH(bool, spherical);
        const test::ClusteredData data = test::makeClusteredData(5000, 12, 32, 1.0f, 11);
        KMeansOptions opts;
        opts.clusters = 10;
        opts.maxPointsPerCentroid = 20; // train on 200 of 5000
        opts.sphericalCosine = spherical;
        const Result<KMeansResult> r = kmeans(data.points, opts);
        QVERIFY(r.ok());
        const int d = data.points.cols;
        int wrong = 0;
        for (qint64 i = 0; i < data.points.rows; ++i) {
            const float *x = data.points.row(i);
            double bestValue = spherical ? dot(x, r->centroids.row(0), d) : l2sq(x, r->centroids.row(0), d);
            for (int c = 1; c < opts.clusters; ++c) {
                const double v = spherical ? dot(x, r->centroids.row(c), d) : l2sq(x, r->centroids.row(c), d);
                if (spherical ? v > bestValue : v < bestValue)
                    bestValue = v;
            }
            const int got = r->assignment[size_t(i)];
            const double gotValue = spherical ? dot(x, r->centroids.row(got), d) : l2sq(x, r->centroids.row(got), d);
            if (std::abs(gotValue - bestValue) > 1e-4)
                ++wrong;
            QVERIFY(std::abs(r->distance[size_t(i)] - gotValue) < 1e-4);
        }
        QCOMPARE(wrong, 0);
        if (spherical) {
            for (qint64 c = 0; c < r->centroids.rows; ++c)
                QVERIFY(std::abs(dot(r->centroids.row(c), r->centroids.row(c), d) - 1.0) < 1e-4);
        }
    }

    // The pieces a sharded clustering uses (issue 14): a point's centre and
    // score never depend on the batch it is assigned in, and match k-means'
    // own assignment; the training sample is seeded and in id order; saved
    // centres load back bit for bit and damaged files are refused.
    void shardedClusteringPieces()
    {
        const test::ClusteredData data = test::makeClusteredData(3000, 8, 32, 1.0f, 5);
        KMeansOptions opts;
        opts.clusters = 8;
        const Result<KMeansResult> r = kmeans(data.points, opts);
        QVERIFY(r.ok());
        const CentreAssignment all = assignToCentres(data.points, r->centroids, true);
        int differ = 0;
        for (qint64 i = 0; i < data.points.rows; ++i)
            differ += all.centre[size_t(i)] != r->assignment[size_t(i)];
        QCOMPARE(differ, 0);
        for (qint64 batch : {1, 7, 1000}) {
            for (qint64 start = 0; start < data.points.rows; start += batch) {
                const qint64 n = std::min(batch, data.points.rows - start);
                Matrix part(n, data.points.cols);
                std::copy_n(data.points.row(start), size_t(n) * size_t(data.points.cols), part.data.begin());
                const CentreAssignment a = assignToCentres(part, r->centroids, true);
                for (qint64 i = 0; i < n; ++i) {
                    QCOMPARE(a.centre[size_t(i)], all.centre[size_t(start + i)]);
                    QCOMPARE(a.distance[size_t(i)], all.distance[size_t(start + i)]); // bit for bit
                }
            }
        }

        QVector<qint64> ids;
        for (qint64 i = 0; i < 1000; ++i)
            ids << i * 3;
        const QVector<qint64> sample = trainingSample(ids, 100, 7);
        QCOMPARE(sample.size(), 100);
        QVERIFY(std::is_sorted(sample.begin(), sample.end()));
        QCOMPARE(trainingSample(ids, 100, 7), sample);
        QVERIFY(trainingSample(ids, 100, 8) != sample);
        QCOMPARE(trainingSample(ids, 5000, 7), ids);

        QTemporaryDir tmp;
        const QString path = tmp.filePath(QStringLiteral("centres.bin"));
        QVERIFY(saveCentres(r->centroids, path).ok());
        const Result<Matrix> back = loadCentres(path);
        QVERIFY(back.ok());
        QCOMPARE(back->rows, r->centroids.rows);
        QVERIFY(back->data == r->centroids.data);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const QByteArray bytes = f.readAll();
        f.resize(bytes.size() - 4); // cut short
        f.close();
        QCOMPARE(loadCentres(path).error().code, ErrorCode::ParseError);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray("1CSR") + QByteArray(12, '\x7f')); // the magic (little-endian), then absurd rows and columns
        f.close();
        QCOMPARE(loadCentres(path).error().code, ErrorCode::ParseError);
        QCOMPARE(loadCentres(tmp.filePath(QStringLiteral("none.bin"))).error().code, ErrorCode::NotFound);
    }

    void deterministicWithSeed()
    {
        const test::ClusteredData data = test::makeClusteredData(3000, 30, 32, 1.0f, 5);
        KMeansOptions opts;
        opts.clusters = 25;
        opts.seed = 1234;
        const Result<KMeansResult> a = kmeans(data.points, opts);
        const Result<KMeansResult> b = kmeans(data.points, opts);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->assignment, b->assignment);
        QCOMPARE(a->centroids.data, b->centroids.data);
        opts.seed = 99;
        const Result<KMeansResult> c = kmeans(data.points, opts);
        QVERIFY(c.ok());
        QVERIFY(c->centroids.data != a->centroids.data);
    }

    void defaultCountIsUsed()
    {
        const test::ClusteredData data = test::makeClusteredData(400, 4, 8, 1.0f, 2);
        const Result<KMeansResult> r = kmeans(data.points, KMeansOptions{});
        QVERIFY(r.ok());
        QCOMPARE(r->centroids.rows, qint64(20));
    }

    void asManyClustersAsPoints()
    {
        const test::ClusteredData data = test::makeClusteredData(7, 3, 8, 1.0f, 2);
        KMeansOptions opts;
        opts.clusters = 7;
        const Result<KMeansResult> r = kmeans(data.points, opts);
        QVERIFY(r.ok());
        QCOMPARE(r->centroids.rows, qint64(7));
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("clusters");
        QTest::addColumn<int>("iterations");
        QTest::addColumn<int>("nanRow");    // -1: none
        QTest::addColumn<int>("dropValues"); // make data shorter than rows*cols
        QTest::addColumn<QString>("needle");
        QTest::newRow("empty") << 0 << 8 << 0 << 20 << -1 << 0 << QStringLiteral("empty");
        QTest::newRow("no columns") << 10 << 0 << 2 << 20 << -1 << 0 << QStringLiteral("empty");
        QTest::newRow("more clusters than points") << 10 << 8 << 11 << 20 << -1 << 0 << QStringLiteral("11 clusters from 10");
        QTest::newRow("negative clusters") << 10 << 8 << -1 << 20 << -1 << 0 << QStringLiteral("clusters");
        QTest::newRow("NaN") << 10 << 8 << 2 << 20 << 6 << 0 << QStringLiteral("row 6");
        QTest::newRow("size mismatch") << 10 << 8 << 2 << 20 << -1 << 3 << QStringLiteral("holds 77 values");
        QTest::newRow("no iterations") << 10 << 8 << 2 << 0 << -1 << 0 << QStringLiteral("iterations");
    }
    void rejectsBadInput()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, clusters);
        QFETCH(int, iterations);
        QFETCH(int, nanRow);
        QFETCH(int, dropValues);
        QFETCH(QString, needle);
        Matrix m(rows, cols);
        for (size_t i = 0; i < m.data.size(); ++i)
            m.data[i] = float(i % 5) - 2.f;
        if (nanRow >= 0)
            m.row(nanRow)[1] = std::numeric_limits<float>::quiet_NaN();
        m.data.resize(m.data.size() - size_t(dropValues));
        KMeansOptions opts;
        opts.clusters = clusters;
        opts.iterations = iterations;
        const Result<KMeansResult> r = kmeans(m, opts);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(r.error().toString().contains(needle), qPrintable(r.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestKMeans)
#include "test_kmeans.moc"
