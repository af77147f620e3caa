// The curator's power tools from the command line, on a small corpus with
// known answers (tests/support/powercorpus.h): `search` (full text, semantic,
// "more like this"), and later snapshots, diffs and snapshot exports.

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
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

    static QMap<QString, QByteArray> hashes(const QString &dir)
    {
        QMap<QString, QByteArray> out;
        QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                out.insert(QDir(dir).relativeFilePath(path), QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256));
        }
        return out;
    }

    QSet<qint64> selectedIds()
    {
        QSet<qint64> out;
        const QJsonArray a = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--selected"), QStringLiteral("--json")}).out).array();
        for (const QJsonValue &v : a)
            out.insert(v[QStringLiteral("id")].toInteger());
        return out;
    }

    Run exportTo(const QString &format, const QString &out, const QString &snapshot = {})
    {
        QStringList args{QStringLiteral("export"), m_project, QStringLiteral("--format"), format, QStringLiteral("--out"), out,
                         QStringLiteral("--split"), QStringLiteral("val=0.3"), QStringLiteral("--shard-size"), QStringLiteral("3")};
        if (!snapshot.isEmpty())
            args << QStringLiteral("--snapshot") << snapshot;
        return realsyn(args);
    }

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

    // Snapshot a, change the cluster cap, snapshot b: the diff lists the
    // setting and exactly the images that left, with the cap as their
    // reason; an export of snapshot a later is byte-identical to the one
    // made at the time.
    void snapshotDiffAndExportSnapshot()
    {
        const QString p = m_project;
        QJsonObject info = json({QStringLiteral("snapshot"), p, QStringLiteral("a"), QStringLiteral("--json")});
        const QSet<qint64> before = selectedIds();
        QVERIFY(before.size() >= 6);
        QCOMPARE(info[QStringLiteral("selected")].toInteger(), before.size());
        QCOMPARE(info[QStringLiteral("images")].toInteger(), 17);
        const QString wdsThen = m_tmp.filePath(QStringLiteral("wds-then")), jsonlThen = m_tmp.filePath(QStringLiteral("jsonl-then"));
        QCOMPARE(exportTo(QStringLiteral("wds"), wdsThen).code, 0);
        QCOMPARE(exportTo(QStringLiteral("jsonl"), jsonlThen).code, 0);

        // The change: one sample per cluster, and a curator's edit of a text
        // that stays selected (an exported field the snapshot must keep).
        Run r = realsyn({QStringLiteral("run"), p, QStringLiteral("--set"), QStringLiteral("sample.cap=1")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QSet<qint64> after = selectedIds();
        QVERIFY(!after.isEmpty());
        QVERIFY(after.size() < before.size());
        QCOMPARE(realsyn({QStringLiteral("edit"), p, QString::number(*after.begin()), QStringLiteral("--syn-text"), QStringLiteral("Edited after the snapshot.")}).code, 0);
        info = json({QStringLiteral("snapshot"), p, QStringLiteral("b"), QStringLiteral("--json")});
        QCOMPARE(info[QStringLiteral("selected")].toInteger(), after.size());

        const QJsonObject d = json({QStringLiteral("diff"), p, QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("--json")});
        QCOMPARE(d.keys(), (QStringList{QStringLiteral("counts"), QStringLiteral("entered"), QStringLiteral("left"), QStringLiteral("settings")}));
        const QJsonObject settings = d[QStringLiteral("settings")].toObject();
        QCOMPARE(settings.keys(), QStringList{QStringLiteral("sample.cap")});
        QCOMPARE(settings[QStringLiteral("sample.cap")].toObject(),
                 (QJsonObject{{QStringLiteral("a"), QStringLiteral("20")}, {QStringLiteral("b"), QStringLiteral("1")}}));
        QSet<qint64> left, entered;
        int capped = 0;
        for (const QJsonValue &v : d[QStringLiteral("left")].toArray()) {
            QVERIFY(v[QStringLiteral("old_reason")].isNull());
            QVERIFY(!v[QStringLiteral("new_reason")].toString().isEmpty());
            capped += v[QStringLiteral("new_reason")].toString() == QLatin1String("cluster_cap");
            left.insert(v[QStringLiteral("id")].toInteger());
        }
        for (const QJsonValue &v : d[QStringLiteral("entered")].toArray()) {
            QVERIFY(v[QStringLiteral("new_reason")].isNull());
            entered.insert(v[QStringLiteral("id")].toInteger());
        }
        QCOMPARE(left, QSet<qint64>(before).subtract(after));
        QCOMPARE(entered, QSet<qint64>(after).subtract(before));
        QVERIFY(capped > 0);
        const QJsonObject counts = d[QStringLiteral("counts")].toObject();
        QCOMPARE(counts[QStringLiteral("a")][QStringLiteral("selected")].toInteger(), before.size());
        QCOMPARE(counts[QStringLiteral("b")][QStringLiteral("selected")].toInteger(), after.size());
        QVERIFY(counts[QStringLiteral("b")][QStringLiteral("cluster_cap")].toInteger() >= capped);
        // B defaults to the live state, which snapshot b froze.
        QCOMPARE(json({QStringLiteral("diff"), p, QStringLiteral("a"), QStringLiteral("--json")}), d);
        const Run text = realsyn({QStringLiteral("diff"), p, QStringLiteral("a"), QStringLiteral("b")});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.contains("sample.cap: 20 -> 1") && text.out.contains("cluster_cap"), text.out.constData());

        // The live export has changed; the snapshot's has not.
        const QString wdsNow = m_tmp.filePath(QStringLiteral("wds-now"));
        QCOMPARE(exportTo(QStringLiteral("wds"), wdsNow).code, 0);
        QVERIFY(hashes(wdsNow) != hashes(wdsThen));
        const QString wdsLater = m_tmp.filePath(QStringLiteral("wds-later")), jsonlLater = m_tmp.filePath(QStringLiteral("jsonl-later"));
        r = exportTo(QStringLiteral("wds"), wdsLater, QStringLiteral("a"));
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(hashes(wdsLater), hashes(wdsThen));
        QVERIFY(hashes(wdsThen).size() > 3);
        QCOMPARE(exportTo(QStringLiteral("jsonl"), jsonlLater, QStringLiteral("a")).code, 0);
        QCOMPARE(hashes(jsonlLater), hashes(jsonlThen));

        const Run listed = realsyn({QStringLiteral("snapshot"), p, QStringLiteral("--list")});
        QCOMPARE(listed.code, 0);
        QVERIFY(listed.out.contains("a ") && listed.out.contains("b "));
    }

    void snapshotErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString p = QStringLiteral("@project");
        QTest::newRow("existing name") << QStringList{QStringLiteral("snapshot"), p, QStringLiteral("a")} << 1 << QStringLiteral("exists already");
        QTest::newRow("reserved name") << QStringList{QStringLiteral("snapshot"), p, QStringLiteral("current")} << 2 << QStringLiteral("live project state");
        QTest::newRow("path as name") << QStringList{QStringLiteral("snapshot"), p, QStringLiteral("../x")} << 2 << QStringLiteral("snapshot name");
        QTest::newRow("no name") << QStringList{QStringLiteral("snapshot"), p} << 2 << QStringLiteral("usage");
        QTest::newRow("diff unknown") << QStringList{QStringLiteral("diff"), p, QStringLiteral("nope")} << 1 << QStringLiteral("no snapshot named 'nope'");
        QTest::newRow("diff no names") << QStringList{QStringLiteral("diff"), p} << 2 << QStringLiteral("usage");
        QTest::newRow("export unknown snapshot") << QStringList{QStringLiteral("export"), p, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"),
                                                                QStringLiteral("@tmp/x"), QStringLiteral("--snapshot"), QStringLiteral("nope")}
                                                 << 1 << QStringLiteral("no snapshot named");
    }
    void snapshotErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        args.replaceInStrings(QStringLiteral("@project"), m_project);
        args.replaceInStrings(QStringLiteral("@tmp"), m_tmp.path());
        const Run r = realsyn(args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    // Stored snapshot data that is not what snapshot wrote is refused with
    // a message, never exported with blanks.
    void damagedSnapshotIsRefused_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("message");
        QTest::newRow("sample not JSON") << QStringLiteral("UPDATE snapshot_images SET sample = '{not json' WHERE snapshot = 'c' AND reason IS NULL")
                                         << QStringLiteral("not JSON");
        QTest::newRow("sample not an object") << QStringLiteral("UPDATE snapshot_images SET sample = '[1, 2]' WHERE snapshot = 'c' AND reason IS NULL")
                                              << QStringLiteral("not an object");
        QTest::newRow("field missing") << QStringLiteral("UPDATE snapshot_images SET sample = json_remove(sample, '$.path') WHERE snapshot = 'c' AND reason IS NULL")
                                       << QStringLiteral("'path'");
        QTest::newRow("field of wrong type") << QStringLiteral("UPDATE snapshot_images SET sample = json_set(sample, '$.texts', 'x') WHERE snapshot = 'c' AND reason IS NULL")
                                             << QStringLiteral("texts");
        QTest::newRow("recipe not JSON") << QStringLiteral("UPDATE snapshots SET recipe = 'oops' WHERE name = 'c'") << QStringLiteral("recipe is not JSON");
        QTest::newRow("setting out of range") << QStringLiteral("UPDATE snapshots SET recipe = json_set(recipe, '$.\"sample.cap\"', '-4') WHERE name = 'c'")
                                              << QStringLiteral("sample.cap");
        QTest::newRow("sample of another image") << QStringLiteral("UPDATE snapshot_images SET sample = json_set(sample, '$.id', 99999) WHERE snapshot = 'c' AND reason IS NULL")
                                                 << QStringLiteral("holds image 99999");
    }
    void damagedSnapshotIsRefused()
    {
        QFETCH(QString, sql);
        QFETCH(QString, message);
        QCOMPARE(realsyn({QStringLiteral("snapshot"), m_project, QStringLiteral("c")}).code, 0);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("damage"));
            db.setDatabaseName(m_project + QStringLiteral("/project.sqlite"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY2(q.exec(sql), qPrintable(sql));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("damage"));
        const QString out = m_tmp.filePath(QStringLiteral("damaged-export"));
        const Run r = exportTo(QStringLiteral("jsonl"), out, QStringLiteral("c"));
        QCOMPARE(r.code, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(QStringLiteral("damaged")) && QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(!QFileInfo::exists(out));
        // Clean up for the next row.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("cleanup"));
        db.setDatabaseName(m_project + QStringLiteral("/project.sqlite"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys=ON")));
        QVERIFY(q.exec(QStringLiteral("DELETE FROM snapshot_images WHERE snapshot = 'c'")));
        QVERIFY(q.exec(QStringLiteral("DELETE FROM snapshots WHERE name = 'c'")));
        db.close();
        q = QSqlQuery();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("cleanup"));
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
