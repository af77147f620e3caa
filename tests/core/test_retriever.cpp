#include "core/index/retriever.h"
#include "tests/bench/syntheticdata.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <limits>
#include <random>
#include <set>

using namespace rs;

namespace {

// The reference: score every sentence, sort by (score desc, index asc).
HitLists naiveSearch(const Matrix &sentences, const Matrix &queries, int k, float minScore)
{
    HitLists out;
    for (qint64 q = 0; q < queries.rows; ++q) {
        std::vector<Hit> all;
        for (qint64 s = 0; s < sentences.rows; ++s) {
            double dot = 0;
            for (int j = 0; j < sentences.cols; ++j)
                dot += double(queries.row(q)[j]) * sentences.row(s)[j];
            if (dot >= minScore)
                all.push_back(Hit{s, float(dot)});
        }
        std::sort(all.begin(), all.end(), [](const Hit &a, const Hit &b) {
            return a.score > b.score || (a.score == b.score && a.item < b.item);
        });
        all.resize(std::min<size_t>(all.size(), size_t(k)));
        out.push_back(all);
    }
    return out;
}

Matrix randomUnitRows(qint64 rows, int cols, quint64 seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    Matrix m(rows, cols);
    for (float &v : m.data)
        v = normal(rng);
    m.normalizeRows();
    return m;
}

void compareHits(const HitLists &got, const HitLists &want)
{
    QCOMPARE(got.size(), want.size());
    for (size_t q = 0; q < got.size(); ++q) {
        QCOMPARE(got[q].size(), want[q].size());
        for (size_t j = 0; j < got[q].size(); ++j) {
            QCOMPARE(got[q][j].item, want[q][j].item);
            QVERIFY(std::abs(got[q][j].score - want[q][j].score) < 1e-4f);
        }
    }
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

QString errorText(const Error &e) { return e.toString(); }

} // namespace

class TestRetriever : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactAgreesWithNaiveLoop_data()
    {
        QTest::addColumn<int>("k");
        QTest::addColumn<float>("minScore");
        QTest::newRow("k=1") << 1 << -2.f;
        QTest::newRow("k=3") << 3 << -2.f;
        QTest::newRow("k=10") << 10 << -2.f;
        QTest::newRow("k=10, minScore 0.6") << 10 << 0.6f;
    }
    void exactAgreesWithNaiveLoop()
    {
        QFETCH(int, k);
        QFETCH(float, minScore);
        const Matrix sentences = randomUnitRows(3000, 24, 1);
        const Matrix queries = randomUnitRows(40, 24, 2);
        const Result<HitLists> got = exactSearch(sentences, queries, k, minScore);
        QVERIFY(got.ok());
        compareHits(got.value(), naiveSearch(sentences, queries, k, minScore));
        if (minScore > 0) { // the threshold must actually have cut something
            size_t total = 0;
            for (const auto &hits : got.value())
                total += hits.size();
            QVERIFY(total < size_t(40 * k));
            QVERIFY(total > 0);
        }
    }

    // Probing every centre is brute force: must equal the naive loop exactly.
    void hierarchicalProbingAllCentresIsExact()
    {
        const test::ClusteredData data = test::makeClusteredData(4000, 30, 32, 1.0f, 3);
        const Matrix queries = randomUnitRows(50, 32, 4);
        KMeansOptions ko;
        ko.clusters = 40;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(data.points, ko);
        QVERIFY(r.ok());
        RetrieveOptions ro;
        ro.k = 5;
        ro.clusters = 1000; // clamped to 40
        const Result<HitLists> got = r->search(queries, ro);
        QVERIFY(got.ok());
        compareHits(got.value(), naiveSearch(data.points, queries, 5, -2.f));
    }

    // With one probe, every hit comes from the query's nearest centre.
    void oneProbeStaysInNearestCluster()
    {
        const test::ClusteredData data = test::makeClusteredData(3000, 20, 32, 1.0f, 5);
        const test::ClusteredData queries = test::samplesAround(data.centres, 30, 1.0f, 6);
        KMeansOptions ko;
        ko.clusters = 25;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(data.points, ko);
        QVERIFY(r.ok());
        const KMeansResult &c = r->clustering();
        const Result<HitLists> got = r->search(queries.points, RetrieveOptions{});
        QVERIFY(got.ok());
        for (qint64 q = 0; q < queries.points.rows; ++q) {
            int nearest = 0;
            double best = -3;
            for (qint64 i = 0; i < c.centroids.rows; ++i) {
                double dot = 0;
                for (int j = 0; j < 32; ++j)
                    dot += double(queries.points.row(q)[j]) * c.centroids.row(i)[j];
                if (dot > best) {
                    best = dot;
                    nearest = int(i);
                }
            }
            QCOMPARE(got->at(size_t(q)).size(), size_t(3));
            for (const Hit &h : got->at(size_t(q)))
                QCOMPARE(c.assignment[size_t(h.item)], nearest);
        }
    }

    void hierarchicalOverlapWithExact_data()
    {
        QTest::addColumn<int>("probes");
        QTest::addColumn<double>("minOverlap");
        QTest::newRow("1 centre") << 1 << 0.97;
        QTest::newRow("4 centres") << 4 << 0.99;
    }
    void hierarchicalOverlapWithExact()
    {
        QFETCH(int, probes);
        QFETCH(double, minOverlap);
        // 20k sentences from 200 topics; queries drawn around the same topics.
        const test::ClusteredData data = test::makeClusteredData(20000, 200, 64, 1.0f, 8);
        const test::ClusteredData queries = test::samplesAround(data.centres, 500, 1.0f, 9);
        KMeansOptions ko; // default: round(sqrt(20000)) = 141 centres
        ko.seed = 1;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(data.points, ko);
        QVERIFY(r.ok());
        QCOMPARE(r->clustering().centroids.rows, qint64(141));
        RetrieveOptions ro;
        ro.clusters = probes;
        const Result<HitLists> hier = r->search(queries.points, ro);
        const Result<HitLists> exact = exactSearch(data.points, queries.points, 3);
        QVERIFY(hier.ok() && exact.ok());
        const double overlap = overlapAtK(hier.value(), exact.value(), 3);
        qInfo("overlap@3 hierarchical (%d probe(s), 141 centres) vs exact: %.4f", probes, overlap);
        QVERIFY2(overlap >= minOverlap, qPrintable(QString::number(overlap)));
    }

    // Identical sentences score identically: the lower index must come first,
    // in both modes, whatever the scan order.
    void tiesGoToLowerIndex()
    {
        Matrix sentences = randomUnitRows(200, 16, 10);
        std::copy_n(sentences.row(150), 16, sentences.row(20));
        std::copy_n(sentences.row(150), 16, sentences.row(90));
        Matrix queries(1, 16);
        std::copy_n(sentences.row(150), 16, queries.row(0));
        const Result<HitLists> exact = exactSearch(sentences, queries, 3);
        QVERIFY(exact.ok());
        QCOMPARE(exact->at(0).size(), size_t(3));
        QCOMPARE(exact->at(0)[0].item, qint64(20));
        QCOMPARE(exact->at(0)[1].item, qint64(90));
        QCOMPARE(exact->at(0)[2].item, qint64(150));
        KMeansOptions ko;
        ko.clusters = 8;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(r.ok());
        const Result<HitLists> hier = r->search(queries, RetrieveOptions{});
        QVERIFY(hier.ok());
        compareHits(hier.value(), exact.value());
    }

    void fewerSentencesThanK()
    {
        const Matrix sentences = randomUnitRows(4, 8, 12);
        const Matrix queries = randomUnitRows(3, 8, 13);
        const Result<HitLists> exact = exactSearch(sentences, queries, 10);
        QVERIFY(exact.ok());
        compareHits(exact.value(), naiveSearch(sentences, queries, 10, -2.f));
        QCOMPARE(exact->at(0).size(), size_t(4));
        KMeansOptions ko;
        ko.clusters = 2;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(r.ok());
        RetrieveOptions ro;
        ro.k = 10;
        ro.clusters = 2;
        const Result<HitLists> hier = r->search(queries, ro);
        QVERIFY(hier.ok());
        compareHits(hier.value(), exact.value());
    }

    void minScoreAboveEverythingGivesEmptyLists()
    {
        const Matrix sentences = randomUnitRows(500, 8, 14);
        const Matrix queries = randomUnitRows(5, 8, 15);
        const Result<HitLists> exact = exactSearch(sentences, queries, 3, 1.5f);
        QVERIFY(exact.ok());
        QCOMPARE(exact->size(), size_t(5));
        for (const auto &hits : exact.value())
            QVERIFY(hits.empty());
        KMeansOptions ko;
        ko.clusters = 5;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(r.ok());
        RetrieveOptions ro;
        ro.minScore = 1.5f;
        const Result<HitLists> hier = r->search(queries, ro);
        QVERIFY(hier.ok());
        for (const auto &hits : hier.value())
            QVERIFY(hits.empty());
    }

    void rejectsBadQueries_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("clusters");
        QTest::addColumn<bool>("nan");
        QTest::addColumn<QString>("needle");
        QTest::newRow("empty") << 0 << 16 << 3 << 1 << false << QStringLiteral("empty");
        QTest::newRow("wrong dimension") << 2 << 15 << 3 << 1 << false << QStringLiteral("15 columns");
        QTest::newRow("NaN") << 2 << 16 << 3 << 1 << true << QStringLiteral("NaN");
        QTest::newRow("k=0") << 2 << 16 << 0 << 1 << false << QStringLiteral("k must be");
        QTest::newRow("clusters=0") << 2 << 16 << 3 << 0 << false << QStringLiteral("clusters must be");
    }
    void rejectsBadQueries()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, k);
        QFETCH(int, clusters);
        QFETCH(bool, nan);
        QFETCH(QString, needle);
        const Matrix sentences = randomUnitRows(100, 16, 16);
        Matrix queries = randomUnitRows(rows, cols, 17);
        if (nan)
            queries.row(1)[3] = std::numeric_limits<float>::quiet_NaN();
        KMeansOptions ko;
        ko.clusters = 4;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(r.ok());
        RetrieveOptions ro;
        ro.k = k;
        ro.clusters = clusters;
        const Result<HitLists> hier = r->search(queries, ro);
        QVERIFY(!hier.ok());
        QCOMPARE(hier.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(errorText(hier.error()).contains(needle), qPrintable(errorText(hier.error())));
        if (clusters > 0) { // exact search has no cluster count
            const Result<HitLists> exact = exactSearch(sentences, queries, k);
            QVERIFY(!exact.ok());
            QVERIFY2(errorText(exact.error()).contains(needle), qPrintable(errorText(exact.error())));
        }
    }

    void buildRejectsBadSentences()
    {
        Matrix sentences = randomUnitRows(10, 8, 18);
        KMeansOptions ko;
        ko.clusters = 11;
        Result<HierarchicalRetriever> r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        ko.clusters = 2;
        sentences.row(4)[0] = std::numeric_limits<float>::infinity();
        r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("row 4")));
        QVERIFY(!HierarchicalRetriever::build(Matrix(), ko).ok());
        QVERIFY(!exactSearch(Matrix(), randomUnitRows(1, 8, 1), 3).ok());
    }

    void saveAndLoadRoundTrip()
    {
        const test::ClusteredData data = test::makeClusteredData(3000, 20, 32, 1.0f, 19);
        const Matrix queries = randomUnitRows(40, 32, 20);
        KMeansOptions ko;
        ko.clusters = 30;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(data.points, ko);
        QVERIFY(r.ok());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("sentences.rsidx"));
        QVERIFY(r->save(path).ok());
        QVERIFY(r->save(path).ok()); // overwriting works too
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));

        const Result<HierarchicalRetriever> loaded = HierarchicalRetriever::load(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : errorText(loaded.error())));
        QCOMPARE(loaded->sentenceCount(), qint64(3000));
        QCOMPARE(loaded->dimension(), 32);
        QCOMPARE(loaded->clustering().assignment, r->clustering().assignment);
        QCOMPARE(loaded->clustering().centroids.data, r->clustering().centroids.data);
        for (size_t i = 0; i < 3000; ++i)
            QVERIFY(std::abs(loaded->clustering().distance[i] - r->clustering().distance[i]) < 1e-5f);
        RetrieveOptions ro;
        ro.k = 4;
        ro.clusters = 2;
        const Result<HitLists> before = r->search(queries, ro);
        const Result<HitLists> after = loaded->search(queries, ro);
        QVERIFY(before.ok() && after.ok());
        compareHits(after.value(), before.value());
    }

    void loadRejectsBadFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Result<HierarchicalRetriever> missing = HierarchicalRetriever::load(dir.filePath(QStringLiteral("nope")));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);

        const QString garbage = dir.filePath(QStringLiteral("garbage.rsidx"));
        {
            QFile f(garbage);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not an index at all, just some text");
        }
        Result<HierarchicalRetriever> g = HierarchicalRetriever::load(garbage);
        QVERIFY(!g.ok());
        QCOMPARE(g.error().code, ErrorCode::ParseError);

        // A real index cut in half.
        const Matrix sentences = randomUnitRows(500, 16, 21);
        KMeansOptions ko;
        ko.clusters = 5;
        const Result<HierarchicalRetriever> r = HierarchicalRetriever::build(sentences, ko);
        QVERIFY(r.ok());
        const QString full = dir.filePath(QStringLiteral("full.rsidx"));
        QVERIFY(r->save(full).ok());
        QFile in(full);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        const QString cut = dir.filePath(QStringLiteral("cut.rsidx"));
        {
            QFile f(cut);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes.left(bytes.size() / 2));
        }
        Result<HierarchicalRetriever> c = HierarchicalRetriever::load(cut);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::ParseError);

        // Saving into a folder that does not exist is an I/O error.
        const Status s = r->save(dir.filePath(QStringLiteral("no/such/dir/x.rsidx")));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::IoError);
    }
};

QTEST_GUILESS_MAIN(TestRetriever)
#include "test_retriever.moc"
