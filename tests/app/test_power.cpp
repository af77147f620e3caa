// The curator's power tools from the command line, on a small corpus with
// known answers (tests/support/powercorpus.h): `search` (full text, semantic,
// "more like this"), and later snapshots, diffs and snapshot exports.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/powercorpus.h"
#include "tests/support/processrun.h"

class TestPower : public QObject {
    Q_OBJECT

    using Run = rs::test::ProcessRun;
    QString m_cli;
    QTemporaryDir m_tmp;
    QString m_project;
    rs::test::PowerCorpus m_corpus;
    QHash<QString, qint64> m_idOf; // file name -> image id

    Run realsyn(const QStringList &args) { return rs::test::runProcess(m_cli, args, 300000); }

    QJsonObject json(const QStringList &args)
    {
        const Run r = realsyn(args);
        if (r.code != 0)
            qWarning() << args << r.code << r.err;
        return QJsonDocument::fromJson(r.out).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cli = rs::test::realsynPath();
        QVERIFY2(QFileInfo(m_cli).isExecutable(), qPrintable(m_cli));
        m_corpus = rs::test::makePowerCorpus(m_tmp.path());
        QVERIFY(!m_corpus.dir.isEmpty());
        m_project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(realsyn({QStringLiteral("init"), m_project}).code, 0);
        Run r = realsyn({QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus.dir});
        QVERIFY2(r.code == 0, r.err.constData());
        r = realsyn(QStringList{QStringLiteral("run"), m_project} + rs::test::powerRunSettings());
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray all = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--json")}).out).array();
        QCOMPARE(all.size(), 17);
        for (const QJsonValue &v : all)
            m_idOf.insert(QFileInfo(v[QStringLiteral("path")].toString()).fileName(), v[QStringLiteral("id")].toInteger());
        QVERIFY(m_idOf.contains(m_corpus.nearCopyFile));
    }

    void textSearchFindsTheKnownImageFirst()
    {
        const QJsonObject o = json({QStringLiteral("search"), m_project, m_corpus.rareWordsQuery, QStringLiteral("--json")});
        QCOMPARE(o[QStringLiteral("mode")].toString(), QStringLiteral("text"));
        const QJsonArray results = o[QStringLiteral("results")].toArray();
        QVERIFY(!results.isEmpty());
        QCOMPARE(results[0][QStringLiteral("id")].toInteger(), m_idOf.value(m_corpus.rareWordsFile));
        QVERIFY(results[0][QStringLiteral("score")].toDouble() > 0);

        // A word of one picture's page text reaches that picture through its
        // retrieved texts and synthetic text, ranked first among its hits.
        const QJsonArray volcano = json({QStringLiteral("search"), m_project, QStringLiteral("volcano"), QStringLiteral("--json"),
                                         QStringLiteral("--limit"), QStringLiteral("3")})[QStringLiteral("results")].toArray();
        QVERIFY(!volcano.isEmpty());
        QVERIFY(volcano.size() <= 3);
        QCOMPARE(volcano[0][QStringLiteral("id")].toInteger(), m_idOf.value(QStringLiteral("p07.png")));

        // Words no text holds, and stop words only, match nothing (exit 0).
        const Run none = realsyn({QStringLiteral("search"), m_project, QStringLiteral("xylophonist"), QStringLiteral("--json")});
        QCOMPARE(none.code, 0);
        QVERIFY(QJsonDocument::fromJson(none.out)[QStringLiteral("results")].toArray().isEmpty());
        const Run plain = realsyn({QStringLiteral("search"), m_project, m_corpus.rareWordsQuery});
        QCOMPARE(plain.code, 0);
        QVERIFY2(plain.out.contains(m_corpus.rareWordsFile.toUtf8()), plain.out.constData());
    }

    void moreLikeThisFindsTheNearCopyFirst()
    {
        const qint64 original = m_idOf.value(m_corpus.originalFile);
        const qint64 copy = m_idOf.value(m_corpus.nearCopyFile);
        QJsonObject o = json({QStringLiteral("search"), m_project, QStringLiteral("--image"), QString::number(original), QStringLiteral("--json")});
        QCOMPARE(o[QStringLiteral("mode")].toString(), QStringLiteral("similar"));
        QJsonArray results = o[QStringLiteral("results")].toArray();
        QVERIFY(results.size() >= 2);
        QCOMPARE(results[0][QStringLiteral("id")].toInteger(), copy);
        for (const QJsonValue &v : results)
            QVERIFY(v[QStringLiteral("id")].toInteger() != original); // never itself
        // And the other way round.
        o = json({QStringLiteral("search"), m_project, QStringLiteral("--image"), QString::number(copy), QStringLiteral("--json"),
                  QStringLiteral("--limit"), QStringLiteral("1")});
        results = o[QStringLiteral("results")].toArray();
        QCOMPARE(results.size(), 1);
        QCOMPARE(results[0][QStringLiteral("id")].toInteger(), original);
    }

    void semanticSearchRanksEmbeddedImages()
    {
        const QJsonObject o = json({QStringLiteral("search"), m_project, QStringLiteral("a picture of the sunflower"), QStringLiteral("--semantic"),
                                    QStringLiteral("--json"), QStringLiteral("--limit"), QStringLiteral("5")});
        QCOMPARE(o[QStringLiteral("mode")].toString(), QStringLiteral("semantic"));
        const QJsonArray results = o[QStringLiteral("results")].toArray();
        QCOMPARE(results.size(), 5);
        for (int i = 1; i < results.size(); ++i)
            QVERIFY(results[i - 1][QStringLiteral("score")].toDouble() >= results[i][QStringLiteral("score")].toDouble());
    }

    void searchUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString p = QStringLiteral("@project");
        QTest::newRow("no query") << QStringList{p} << 2 << QStringLiteral("usage");
        QTest::newRow("query and --image") << QStringList{p, QStringLiteral("x"), QStringLiteral("--image"), QStringLiteral("1")} << 2 << QStringLiteral("usage");
        QTest::newRow("--image not a number") << QStringList{p, QStringLiteral("--image"), QStringLiteral("abc")} << 2 << QStringLiteral("positive integer");
        QTest::newRow("--image negative") << QStringList{p, QStringLiteral("--image"), QStringLiteral("-3")} << 2 << QStringLiteral("positive integer");
        QTest::newRow("--limit 0") << QStringList{p, QStringLiteral("x"), QStringLiteral("--limit"), QStringLiteral("0")} << 2 << QStringLiteral("--limit");
        QTest::newRow("empty query") << QStringList{p, QStringLiteral("  ")} << 2 << QStringLiteral("empty");
        QTest::newRow("unknown image") << QStringList{p, QStringLiteral("--image"), QStringLiteral("9999")} << 1 << QStringLiteral("no image with id 9999");
        QTest::newRow("unknown option") << QStringList{p, QStringLiteral("x"), QStringLiteral("--fuzzy")} << 2 << QStringLiteral("Unknown option");
        QTest::newRow("not a project") << QStringList{QStringLiteral("@corpus"), QStringLiteral("x")} << 1 << QStringLiteral("not a RealSyn project");
    }
    void searchUsageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        args.replaceInStrings(QStringLiteral("@project"), m_project);
        args.replaceInStrings(QStringLiteral("@corpus"), m_corpus.dir);
        const Run r = realsyn(QStringList{QStringLiteral("search")} + args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestPower)
#include "test_power.moc"
