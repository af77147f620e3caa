#include "core/ingest/document.h"

#include <QTest>

using namespace rs;

class TestDocument : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void blockKindNamesRoundTrip_data()
    {
        QTest::addColumn<int>("kind");
        for (int k = int(BlockKind::Body); k <= int(BlockKind::Nav); ++k)
            QTest::newRow(qPrintable(blockKindName(BlockKind(k)))) << k;
    }
    void blockKindNamesRoundTrip()
    {
        QFETCH(int, kind);
        const QString name = blockKindName(BlockKind(kind));
        QVERIFY(!name.isEmpty());
        QCOMPARE(int(blockKindFromName(name)), kind);
    }
    void unknownNameIsBody() { QCOMPARE(blockKindFromName(QStringLiteral("marquee")), BlockKind::Body); }
};

QTEST_GUILESS_MAIN(TestDocument)
#include "test_document.moc"
