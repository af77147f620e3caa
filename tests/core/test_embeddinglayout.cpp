// The embedding map's layouts (core/index/embeddinglayout): PCA against
// known axes, determinism for a seed, the neighbour layout keeping clusters
// together, and the project cache (hit, and a miss once the vectors change).

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/embeddinglayout.h"
#include "core/store/projectstore.h"
#include "tests/bench/syntheticdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace rs;

namespace {

double dot(const float *a, const float *b, int d)
{
    double s = 0;
    for (int j = 0; j < d; ++j)
        s += double(a[j]) * b[j];
    return s;
}

QVector<qint64> idsFrom(qint64 first, qint64 n)
{
    QVector<qint64> ids;
    for (qint64 i = 0; i < n; ++i)
        ids.push_back(first + i);
    return ids;
}

// Fraction of sampled points whose nearest other point on the map carries
// the same cluster label.
double mapPurity(const std::vector<float> &xy, const std::vector<int> &label, int samples)
{
    const qint64 n = qint64(label.size());
    int same = 0;
    for (int s = 0; s < samples; ++s) {
        const qint64 i = qint64(s) * n / samples;
        qint64 best = -1;
        double bestD = 1e300;
        for (qint64 j = 0; j < n; ++j) {
            if (j == i)
                continue;
            const double dx = xy[size_t(i) * 2] - xy[size_t(j) * 2], dy = xy[size_t(i) * 2 + 1] - xy[size_t(j) * 2 + 1];
            if (dx * dx + dy * dy < bestD)
                bestD = dx * dx + dy * dy, best = j;
        }
        same += label[size_t(best)] == label[size_t(i)] ? 1 : 0;
    }
    return double(same) / samples;
}

} // namespace

class TestEmbeddingLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pcaOfFourPoints()
    {
        // (±2, 0) and (0, ±1): axes x then y, variances 8/3 and 2/3 (n - 1 = 3).
        Matrix m(4, 2);
        m.data = {2, 0, -2, 0, 0, 1, 0, -1};
        auto pca = principalAxes(m, 2);
        QVERIFY(pca.ok());
        QCOMPARE(pca->axes.row(0)[0], 1.f);
        QCOMPARE(pca->axes.row(0)[1] + 1.f, 1.f);
        QCOMPARE(pca->axes.row(1)[1], 1.f);
        QVERIFY(std::abs(pca->variance[0] - 8.0 / 3) < 1e-9);
        QVERIFY(std::abs(pca->variance[1] - 2.0 / 3) < 1e-9);
    }

    void pcaFindsKnownAxes()
    {
        // Points spread 3 along e1, 1 along e2, 0.05 along every other
        // direction of 12-d space, around a shifted mean.
        constexpr int d = 12;
        constexpr qint64 n = 4000;
        std::mt19937_64 rng(5);
        std::normal_distribution<float> normal(0.f, 1.f);
        Matrix basis(d, d);
        for (float &v : basis.data)
            v = normal(rng);
        // Gram-Schmidt: an orthonormal basis whose first two rows are the axes.
        for (int i = 0; i < d; ++i) {
            for (int j = 0; j < i; ++j) {
                const double p = dot(basis.row(i), basis.row(j), d);
                for (int t = 0; t < d; ++t)
                    basis.row(i)[t] -= float(p) * basis.row(j)[t];
            }
            const double norm = std::sqrt(dot(basis.row(i), basis.row(i), d));
            for (int t = 0; t < d; ++t)
                basis.row(i)[t] /= float(norm);
        }
        Matrix pts(n, d);
        for (qint64 r = 0; r < n; ++r)
            for (int i = 0; i < d; ++i) {
                const float c = normal(rng) * (i == 0 ? 3.f : i == 1 ? 1.f : 0.05f);
                for (int t = 0; t < d; ++t)
                    pts.row(r)[t] += c * basis.row(i)[t] + (i == 0 ? 0.5f : 0.f);
            }
        auto pca = principalAxes(pts, 2, 1);
        QVERIFY(pca.ok());
        QVERIFY2(std::abs(dot(pca->axes.row(0), basis.row(0), d)) > 0.999, "first axis is e1");
        QVERIFY2(std::abs(dot(pca->axes.row(1), basis.row(1), d)) > 0.995, "second axis is e2");
        QVERIFY(std::abs(pca->variance[0] / 9.0 - 1) < 0.1);
        QVERIFY(std::abs(pca->variance[1] - 1) < 0.1);
        for (int t = 0; t < d; ++t)
            QVERIFY(std::abs(pca->mean[size_t(t)] - 0.5f) < 0.2f); // each coordinate shifted by 0.5

        // The PCA layout is each row's coordinates on those axes.
        JobContext ctx;
        auto layout = EmbeddingLayout::compute(idsFrom(1, n), pts, {}, ctx);
        QVERIFY(layout.ok());
        for (qint64 r : {qint64(0), qint64(17), n - 1}) {
            double x = 0;
            for (int t = 0; t < d; ++t)
                x += (double(pts.row(r)[t]) - pca->mean[size_t(t)]) * pca->axes.row(0)[t];
            QVERIFY(std::abs(layout->positions()[size_t(r) * 2] - x) < 1e-3);
        }
    }

    void badInput()
    {
        JobContext ctx;
        Matrix one(1, 4);
        QCOMPARE(EmbeddingLayout::compute({1}, one, {}, ctx).error().code, ErrorCode::InvalidArgument);
        Matrix two(2, 4);
        QCOMPARE(EmbeddingLayout::compute({1}, two, {}, ctx).error().code, ErrorCode::InvalidArgument);
        two.data[3] = NAN;
        QCOMPARE(EmbeddingLayout::compute({1, 2}, two, {}, ctx).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(principalAxes(Matrix(5, 3), 4).error().code, ErrorCode::InvalidArgument);
    }

    void deterministic_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("pca") << int(EmbeddingLayout::Method::Pca);
        QTest::newRow("neighbors") << int(EmbeddingLayout::Method::Neighbors);
    }
    void deterministic()
    {
        QFETCH(int, method);
        const test::ClusteredData data = test::makeClusteredData(3000, 8, 24, 0.6f, 3);
        EmbeddingLayout::Options opts;
        opts.method = EmbeddingLayout::Method(method);
        opts.seed = 9;
        opts.landmarks = 800; // the rest placed through the landmark index
        opts.epochs = 60;
        JobContext ctx;
        auto a = EmbeddingLayout::compute(idsFrom(1, 3000), data.points, opts, ctx);
        auto b = EmbeddingLayout::compute(idsFrom(1, 3000), data.points, opts, ctx);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->positions() == b->positions());
        QCOMPARE(a->key(), b->key());
        opts.seed = 10;
        auto c = EmbeddingLayout::compute(idsFrom(1, 3000), data.points, opts, ctx);
        QVERIFY(c.ok());
        QVERIFY(c->key() != a->key());
        if (opts.method == EmbeddingLayout::Method::Neighbors)
            QVERIFY(c->positions() != a->positions());
    }

    void neighboursStayTogether()
    {
        // 12 clusters in 32-d: on the neighbour map a point's nearest
        // neighbour is nearly always from its own cluster; PCA's two axes
        // cannot separate twelve random directions as well.
        const test::ClusteredData data = test::makeClusteredData(2500, 12, 32, 0.5f, 4);
        EmbeddingLayout::Options opts;
        opts.method = EmbeddingLayout::Method::Neighbors;
        opts.landmarks = 1000;
        opts.epochs = 100;
        JobContext ctx;
        auto nb = EmbeddingLayout::compute(idsFrom(1, 2500), data.points, opts, ctx);
        auto pca = EmbeddingLayout::compute(idsFrom(1, 2500), data.points, {}, ctx);
        QVERIFY(nb.ok() && pca.ok());
        const double nbPurity = mapPurity(nb->positions(), data.label, 400);
        const double pcaPurity = mapPurity(pca->positions(), data.label, 400);
        qInfo("nearest-on-map same cluster: neighbours %.3f, pca %.3f", nbPurity, pcaPurity);
        QVERIFY(nbPurity > 0.95);
        QVERIFY(nbPurity > pcaPurity);
    }

    void cancel()
    {
        const test::ClusteredData data = test::makeClusteredData(500, 4, 16, 0.5f, 2);
        EmbeddingLayout::Options opts;
        opts.method = EmbeddingLayout::Method::Neighbors;
        JobContext ctx;
        ctx.cancel();
        QCOMPARE(EmbeddingLayout::compute(idsFrom(1, 500), data.points, opts, ctx).error().code, ErrorCode::Canceled);
    }

    void projectCache()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        auto store = ProjectStore::create(dir);
        QVERIFY(store.ok());
        constexpr int n = 300, d = 16;
        for (int i = 1; i <= n; ++i)
            QVERIFY((*store)->exec(QStringLiteral("INSERT INTO images(id, image_key) VALUES(?, ?)"), {i, QStringLiteral("k%1").arg(i)}).ok());
        JobContext ctx;
        QCOMPARE(EmbeddingLayout::forProject(**store, {}, ctx).error().code, ErrorCode::NotFound);

        const test::ClusteredData data = test::makeClusteredData(n - 1, 5, d, 0.5f, 6);
        auto emb = EmbeddingStore::open(EmbeddingStore::projectDir(**store), QStringLiteral("images"), QStringLiteral("test"), d);
        QVERIFY(emb.ok());
        QVERIFY((*emb)->put(idsFrom(2, n - 1), data.points).ok()); // image 1 has no embedding
        QVERIFY((*emb)->flush().ok());

        bool cached = true;
        auto first = EmbeddingLayout::forProject(**store, {}, ctx, &cached);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
        QVERIFY(!cached);
        QCOMPARE(first->size(), qint64(n - 1));
        QCOMPARE(first->ids().front(), qint64(2));
        QVERIFY(QFileInfo::exists(EmbeddingLayout::cachePath(**store, EmbeddingLayout::Method::Pca)));
        auto second = EmbeddingLayout::forProject(**store, {}, ctx, &cached);
        QVERIFY(second.ok());
        QVERIFY(cached);
        QVERIFY(second->positions() == first->positions());

        // New vectors: the cache no longer matches and the layout is recomputed.
        Matrix changed(1, d);
        std::copy_n(data.points.row(5), d, changed.row(0));
        changed.row(0)[0] += 0.5f;
        changed.normalizeRows();
        QVERIFY((*emb)->put({2}, changed).ok());
        QVERIFY((*emb)->flush().ok());
        auto third = EmbeddingLayout::forProject(**store, {}, ctx, &cached);
        QVERIFY(third.ok());
        QVERIFY(!cached);
        QVERIFY(third->key() != first->key());

        // A damaged file is refused with a reason, never read.
        QFile f(EmbeddingLayout::cachePath(**store, EmbeddingLayout::Method::Pca));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.resize(f.size() - 3);
        f.close();
        QCOMPARE(EmbeddingLayout::load(f.fileName(), third->key()).error().code, ErrorCode::ParseError);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingLayout)
#include "test_embeddinglayout.moc"
