#include "core/embed/embeddingstore.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;

namespace {
Matrix randomRows(int n, int d, quint32 seed)
{
    QRandomGenerator rng(seed);
    Matrix m(n, d);
    for (float &v : m.data)
        v = float(rng.generateDouble() * 2 - 1);
    m.normalizeRows();
    return m;
}
} // namespace

class TestEmbeddingStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("float16") << int(EmbeddingStore::DType::Float16) << 1e-3;
        QTest::newRow("float32") << int(EmbeddingStore::DType::Float32) << 0.0;
    }
    void roundTrip()
    {
        QFETCH(int, dtype);
        QFETCH(double, tolerance);
        QTemporaryDir tmp;
        const Matrix m = randomRows(50, 32, 1);
        QVector<qint64> ids;
        for (int i = 0; i < 50; ++i)
            ids << 3 + i * 61; // sparse ids beyond the initial capacity force growth
        {
            auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("images"), QStringLiteral("enc-a"), 32, EmbeddingStore::DType(dtype));
            QVERIFY(s.ok());
            QVERIFY((*s)->put(ids, m).ok());
            QCOMPARE((*s)->count(), 50);
        }
        auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("images"), QStringLiteral("enc-a"), 32, EmbeddingStore::DType(dtype));
        QVERIFY(s.ok());
        QCOMPARE((*s)->count(), 50);
        QVERIFY((*s)->has(3));
        QVERIFY(!(*s)->has(4));
        const Matrix back = (*s)->get(ids);
        for (size_t i = 0; i < m.data.size(); ++i)
            QVERIFY2(std::abs(back.data[i] - m.data[i]) <= tolerance, qPrintable(QString::number(back.data[i] - m.data[i])));
    }

    void halfPrecisionSpecialValues()
    {
        QTemporaryDir tmp;
        auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("t"), QStringLiteral("e"), 6);
        QVERIFY(s.ok());
        Matrix m(1, 6);
        m.data = {0.0f, -0.0f, 65504.0f, 1e-7f, -2.5f, 1e9f};
        QVERIFY((*s)->put({0}, m).ok());
        const Matrix b = (*s)->get({0});
        QCOMPARE(b.data[0], 0.0f);
        QCOMPARE(b.data[2], 65504.0f);
        QVERIFY(std::abs(b.data[3] - 1e-7f) < 1e-7f); // subnormal range
        QCOMPARE(b.data[4], -2.5f);
        QVERIFY(std::isinf(b.data[5]));
    }

    void encoderChangeResets()
    {
        QTemporaryDir tmp;
        {
            auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("s"), QStringLiteral("enc-a"), 8);
            QVERIFY((*s)->put({1, 2}, randomRows(2, 8, 2)).ok());
        }
        bool reset = false;
        auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("s"), QStringLiteral("enc-b"), 8, EmbeddingStore::DType::Float16, &reset);
        QVERIFY(s.ok());
        QVERIFY(reset);
        QCOMPARE((*s)->count(), 0);
    }

    void badInput()
    {
        QTemporaryDir tmp;
        auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("s"), QStringLiteral("e"), 8);
        QVERIFY(s.ok());
        QVERIFY(!(*s)->put({1, 2, 3}, randomRows(2, 8, 3)).ok()); // count mismatch
        QVERIFY(!(*s)->put({1}, randomRows(1, 7, 3)).ok());      // width mismatch
        QVERIFY(!(*s)->put({-1}, randomRows(1, 8, 3)).ok());
        QVERIFY(!EmbeddingStore::open(tmp.path(), QStringLiteral("s"), QStringLiteral("e"), 0).ok());
        QVERIFY(!EmbeddingStore::openExisting(tmp.path(), QStringLiteral("absent")).ok());
    }

    void corruptFileIsAnError()
    {
        QTemporaryDir tmp;
        {
            auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("s"), QStringLiteral("e"), 8);
            QVERIFY((*s)->put({5}, randomRows(1, 8, 4)).ok());
        }
        QFile f(tmp.filePath(QStringLiteral("s.emb")));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.write("GARBAGE!");
        f.close();
        auto s = EmbeddingStore::open(tmp.path(), QStringLiteral("s"), QStringLiteral("e"), 8);
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.contains(QStringLiteral("magic")));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingStore)
#include "test_embeddingstore.moc"
