#include "core/embed/npyreader.h"

#include "tests/support/npyfile.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rs;

namespace {
QByteArray npy(const QByteArray &dict, const QByteArray &data)
{
    return rs::test::npyFile(dict, data);
}
QByteArray floats(std::initializer_list<float> v)
{
    return QByteArray(reinterpret_cast<const char *>(std::data(v)), int(v.size() * 4));
}
} // namespace

class TestNpyReader : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(bytes);
        return path;
    }

private Q_SLOTS:
    void float32()
    {
        const QString p = write(QStringLiteral("a.npy"),
                                npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", floats({1, 2, 3, 4, 5, 6})));
        auto m = readNpyMatrix(p);
        QVERIFY(m.ok());
        QCOMPARE(m->rows, 2);
        QCOMPARE(m->cols, 3);
        QCOMPARE(m->row(1)[2], 6.0f);
    }

    void float16()
    {
        const quint16 halves[] = {0x3c00, 0xc000, 0x3800, 0x0000}; // 1, -2, 0.5, 0
        const QString p = write(QStringLiteral("h.npy"), npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }",
                                                             QByteArray(reinterpret_cast<const char *>(halves), 8)));
        auto m = readNpyMatrix(p);
        QVERIFY(m.ok());
        QCOMPARE(m->data, (std::vector<float>{1.0f, -2.0f, 0.5f, 0.0f}));
    }

    void writtenByNumpy()
    {
        // The real writer, where this machine has it.
        const QString out = m_tmp.filePath(QStringLiteral("np.npy"));
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"), QStringLiteral("import numpy as np; np.save('%1', np.arange(12, dtype=np.float32).reshape(4, 3))").arg(out)});
        if (!py.waitForFinished(30000) || py.exitCode() != 0)
            QSKIP("python3 with numpy not available; unchecked: reading numpy's own output");
        auto m = readNpyMatrix(out);
        QVERIFY2(m.ok(), qPrintable(m.ok() ? QString() : m.error().toString()));
        QCOMPARE(m->rows, 4);
        QCOMPARE(m->row(3)[1], 10.0f);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("magic");
        QTest::newRow("not npy") << QByteArray("hello world, not numpy") << QStringLiteral("magic");
        QTest::newRow("truncated header") << QByteArray("\x93NUMPY\x01\x00\xff\x00{'descr'", 17) << QStringLiteral("truncated");
        QTest::newRow("1-D") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", floats({1, 2, 3})) << QStringLiteral("2-D");
        QTest::newRow("float64") << npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", QByteArray(8, 0)) << QStringLiteral("dtype");
        QTest::newRow("big endian") << npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 1), }", QByteArray(4, 0)) << QStringLiteral("dtype");
        QTest::newRow("fortran") << npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", QByteArray(4, 0)) << QStringLiteral("Fortran");
        QTest::newRow("short data") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 512), }", floats({1}))
                                    << QStringLiteral("needs");
        // Found by fuzz_npy: rows * cols * width overflowed before the size check.
        QTest::newRow("rows overflow") << npy("{'descr': '<f2', 'fortran_order': False, 'shape': (6667857001649915676, 2), }", floats({1}))
                                       << QStringLiteral("needs");
        QTest::newRow("rows beyond int64") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 2), }", floats({1}))
                                           << QStringLiteral("needs");
        QTest::newRow("nan") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", floats({std::nanf("")}))
                             << QStringLiteral("NaN");
    }
    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        auto m = readNpyMatrix(write(QStringLiteral("bad.npy"), bytes));
        QVERIFY(!m.ok());
        QVERIFY2(m.error().message.contains(message), qPrintable(m.error().message));
    }
};

QTEST_GUILESS_MAIN(TestNpyReader)
#include "test_npyreader.moc"
