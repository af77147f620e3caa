// core/util/idlist: the id lists `realsyn export --ids` reads and the
// studio writes: comments, separators, duplicates, and clear errors.
#include "core/util/idlist.h"

#include <QTest>

using namespace rs;

class TestIdList : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parses()
    {
        auto ids = parseIdList("# saved from the map\n12\n7, 9\t4\r\n\n12 # again\n#last");
        QVERIFY(ids.ok());
        QCOMPARE(*ids, (QVector<qint64>{12, 7, 9, 4}));
        QVERIFY(parseIdList("").ok());
        QVERIFY(parseIdList("# nothing\n").value().isEmpty());
    }
    void roundTrip()
    {
        const QVector<qint64> ids{5, 1, 9223372036854775807LL};
        const QByteArray text = formatIdList(ids, QStringLiteral("two\nlines"));
        QVERIFY(text.startsWith("# two\n# lines\n"));
        QCOMPARE(parseIdList(text).value(), ids);
    }
    void malformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("word") << QByteArray("1\n2\nthree\n") << QStringLiteral("line 3: 'three'");
        QTest::newRow("negative") << QByteArray("-4") << QStringLiteral("'-4'");
        QTest::newRow("plus sign") << QByteArray("+4") << QStringLiteral("'+4'");
        QTest::newRow("zero") << QByteArray("0") << QStringLiteral("'0'");
        QTest::newRow("too large") << QByteArray("9223372036854775808") << QStringLiteral("not an image id");
        QTest::newRow("decimal") << QByteArray("1.5") << QStringLiteral("'1.5'");
        QTest::newRow("binary") << QByteArray("1\n\x01\xff", 4) << QStringLiteral("line 2");
    }
    void malformed()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        auto ids = parseIdList(text);
        QVERIFY(!ids.ok());
        QVERIFY2(ids.error().message.contains(message), qPrintable(ids.error().message));
    }
};

QTEST_GUILESS_MAIN(TestIdList)
#include "test_idlist.moc"
