#include "core/extract/nearduplicates.h"

#include "core/util/unionfind.h"

#include <QElapsedTimer>
#include <QTest>

#include <bit>
#include <random>

using namespace rs;

namespace {

// The O(n^2) answer the band index must reproduce exactly.
QVector<int> exhaustiveGroups(const QVector<quint64> &hashes, int maxDistance, const QVector<qint64> &quality)
{
    const int n = int(hashes.size());
    UnionFind uf(n);
    for (int a = 0; a < n; ++a)
        for (int b = a + 1; b < n; ++b)
            if (std::popcount(hashes[a] ^ hashes[b]) <= maxDistance)
                uf.unite(a, b);
    QVector<int> best(n, -1);
    for (int i = 0; i < n; ++i) {
        int &b = best[uf.find(i)];
        if (b < 0 || (!quality.isEmpty() && quality[i] > quality[b]))
            b = i;
    }
    QVector<int> rep(n);
    for (int i = 0; i < n; ++i)
        rep[i] = best[uf.find(i)];
    return rep;
}

// Clustered hashes: random centres, members with 0..maxFlips bits flipped,
// so that every distance 0..10 has real pairs to find (uniform random 64-bit
// hashes are essentially never within 10 bits of each other).
QVector<quint64> clusteredHashes(int n, int centres, int maxFlips, quint32 seed)
{
    std::mt19937_64 rng(seed);
    QVector<quint64> centre(centres);
    for (quint64 &c : centre)
        c = rng();
    QVector<quint64> out(n);
    for (int i = 0; i < n; ++i) {
        quint64 h = centre[int(rng() % quint64(centres))];
        const int flips = int(rng() % quint64(maxFlips + 1));
        for (int f = 0; f < flips; ++f)
            h ^= quint64(1) << (rng() % 64);
        out[i] = h;
    }
    return out;
}

int groupCount(const QVector<int> &rep)
{
    int groups = 0;
    for (int i = 0; i < rep.size(); ++i)
        groups += rep[i] == i;
    return groups;
}

} // namespace

class TestNearDuplicates : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyInput()
    {
        QVERIFY(groupNearDuplicates({}, 4, {}).isEmpty());
        QCOMPARE(groupNearDuplicates({42}, 4, {7}), QVector<int>{0});
    }

    void chainsTransitively_data()
    {
        QTest::addColumn<int>("maxDistance");
        QTest::addColumn<QVector<int>>("expected");
        // h0=0, h1=0b111 (3 from h0), h2=0b111111 (3 from h1, 6 from h0), h3=~0 (58 from h2)
        QTest::newRow("d2 nothing joins") << 2 << QVector<int>{0, 1, 2, 3};
        QTest::newRow("d3 chain 0-1-2") << 3 << QVector<int>{0, 0, 0, 3};
        QTest::newRow("d6 same chain") << 6 << QVector<int>{0, 0, 0, 3};
        QTest::newRow("d57 still apart") << 57 << QVector<int>{0, 0, 0, 3};
        QTest::newRow("d58 all one") << 58 << QVector<int>{0, 0, 0, 0};
        QTest::newRow("negative groups nothing") << -1 << QVector<int>{0, 1, 2, 3};
    }
    void chainsTransitively()
    {
        QFETCH(int, maxDistance);
        QFETCH(QVector<int>, expected);
        const QVector<quint64> hashes{0, 0b111, 0b111111, ~quint64(0)};
        QCOMPARE(groupNearDuplicates(hashes, maxDistance, {}), expected);
    }

    void representativeIsHighestQualityThenLowestIndex_data()
    {
        QTest::addColumn<QVector<qint64>>("quality");
        QTest::addColumn<QVector<int>>("expected");
        QTest::newRow("no quality: lowest index") << QVector<qint64>{} << QVector<int>{0, 0, 0, 3};
        QTest::newRow("highest wins") << QVector<qint64>{10, 5, 99, 1} << QVector<int>{2, 2, 2, 3};
        QTest::newRow("tie: lower index") << QVector<qint64>{10, 50, 50, 1} << QVector<int>{1, 1, 1, 3};
        QTest::newRow("all equal") << QVector<qint64>{7, 7, 7, 7} << QVector<int>{0, 0, 0, 3};
    }
    void representativeIsHighestQualityThenLowestIndex()
    {
        QFETCH(QVector<qint64>, quality);
        QFETCH(QVector<int>, expected);
        // The chain of chainsTransitively at distance 3: {0, 1, 2} and {3}.
        const QVector<quint64> hashes{0, 0b111, 0b111111, ~quint64(0)};
        QCOMPARE(groupNearDuplicates(hashes, 3, quality), expected);
    }

    void distanceZeroJoinsOnlyIdentical()
    {
        const QVector<quint64> hashes{5, 4, 5, 5, 1, 4};
        const QVector<qint64> quality{1, 1, 1, 9, 1, 1};
        QCOMPARE(groupNearDuplicates(hashes, 0, quality), (QVector<int>{3, 1, 3, 3, 4, 1}));
    }

    void manyIdenticalCopies()
    {
        // 20k copies of one hash plus one neighbour must not go quadratic.
        QVector<quint64> hashes(20000, 0xdeadbeefcafef00dULL);
        hashes.append(0xdeadbeefcafef00dULL ^ 0x3);
        QElapsedTimer timer;
        timer.start();
        const QVector<int> rep = groupNearDuplicates(hashes, 4, {});
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(groupCount(rep), 1);
        QCOMPARE(rep.last(), 0);
    }

    void matchesExhaustive_data()
    {
        QTest::addColumn<int>("maxDistance");
        QTest::addColumn<quint32>("seed");
        for (int d : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16})
            QTest::newRow(qPrintable(QStringLiteral("d%1").arg(d))) << d << quint32(1000 + d);
    }
    void matchesExhaustive()
    {
        QFETCH(int, maxDistance);
        QFETCH(quint32, seed);
        const int n = 3000;
        const QVector<quint64> hashes = clusteredHashes(n, 400, 12, seed);
        QVector<qint64> quality(n);
        std::mt19937 rng(seed);
        for (qint64 &q : quality)
            q = rng() % 50; // many ties
        const QVector<int> expected = exhaustiveGroups(hashes, maxDistance, quality);
        const QVector<int> got = groupNearDuplicates(hashes, maxDistance, quality);
        QCOMPARE(got, expected);
        // The data must make the comparison meaningful: some grouping, not all.
        const int groups = groupCount(expected);
        QVERIFY2(groups < n && groups > 1, qPrintable(QString::number(groups)));
    }

    void hundredThousandHashes_data()
    {
        QTest::addColumn<int>("maxDistance");
        QTest::newRow("d4") << 4;
        QTest::newRow("d8") << 8;
        QTest::newRow("d10") << 10;
    }
    void hundredThousandHashes()
    {
        QFETCH(int, maxDistance);
        // 100k hashes: half in 5k clusters, half unique random.
        QVector<quint64> hashes = clusteredHashes(50000, 5000, 6, 7);
        std::mt19937_64 rng(99);
        for (int i = 0; i < 50000; ++i)
            hashes.append(rng());
        QElapsedTimer timer;
        timer.start();
        const QVector<int> rep = groupNearDuplicates(hashes, maxDistance, {});
        const qint64 ms = timer.elapsed();
        qInfo("100k hashes, maxDistance %d: %lld ms, %d groups", maxDistance, ms, groupCount(rep));
        QCOMPARE(rep.size(), 100000);
        QVERIFY(groupCount(rep) > 50000);
        QVERIFY(groupCount(rep) < 100000);
        // A generous bound (shared 2-core machine) that the all-pairs 5e9
        // comparisons could not meet.
        QVERIFY2(ms < 3000, qPrintable(QString::number(ms)));
    }
};

QTEST_GUILESS_MAIN(TestNearDuplicates)
#include "test_nearduplicates.moc"
