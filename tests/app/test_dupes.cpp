// `realsyn dupes`: the near-duplicate groups with their distances, and the
// curator's keeper chosen from the command line, which wins over re-runs of
// extract with a setting changed and changed back; `--auto` gives the
// choice back; bad arguments are usage errors.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/powercorpus.h"
#include "tests/support/processrun.h"

class TestDupes : public QObject {
    Q_OBJECT

    using Run = rs::test::ProcessRun;
    QString m_cli;
    QTemporaryDir m_tmp;
    QString m_project;

    Run realsyn(const QStringList &args) { return rs::test::runProcess(m_cli, args, 120000); }

    QJsonObject dupes()
    {
        const Run r = realsyn({QStringLiteral("dupes"), m_project, QStringLiteral("--json")});
        if (r.code != 0)
            qWarning() << r.code << r.err;
        return QJsonDocument::fromJson(r.out).object();
    }

    // The pHash group that holds image `id`, or an empty object.
    static QJsonObject phashGroupOf(const QJsonObject &listing, qint64 id)
    {
        for (const QJsonValue &g : listing[QStringLiteral("groups")].toArray()) {
            if (g[QStringLiteral("kind")].toString() != QLatin1String("phash"))
                continue;
            for (const QJsonValue &m : g[QStringLiteral("members")].toArray())
                if (m[QStringLiteral("id")].toInteger() == id)
                    return g.toObject();
        }
        return {};
    }

    QString reasonOf(qint64 id)
    {
        const Run r = realsyn({QStringLiteral("show"), m_project, QString::number(id), QStringLiteral("--json")});
        // The first (extract's) reason `show --json` gives, empty when kept.
        return QJsonDocument::fromJson(r.out).object()[QStringLiteral("reasons")][0][QStringLiteral("reason")].toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cli = rs::test::realsynPath();
        QVERIFY2(QFileInfo(m_cli).isExecutable(), qPrintable(m_cli));
        const rs::test::PowerCorpus corpus = rs::test::makePowerCorpus(m_tmp.path());
        QVERIFY(!corpus.dir.isEmpty());
        m_project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(realsyn({QStringLiteral("init"), m_project}).code, 0);
        Run r = realsyn({QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), corpus.dir});
        QVERIFY2(r.code == 0, r.err.constData());
        r = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("extract")});
        QVERIFY2(r.code == 0, r.err.constData());
    }

    void keeperWinsOverReruns()
    {
        // The corpus's pictures share patterns in other colours, which a
        // perceptual hash does not see: there are pHash groups.
        const QJsonObject before = dupes();
        QCOMPARE(before[QStringLiteral("settings")][QStringLiteral("extract.phash_distance")].toInt(), 3);
        QVERIFY(before[QStringLiteral("counts")][QStringLiteral("phash")][QStringLiteral("groups")].toInt() >= 1);
        const QJsonObject group = before[QStringLiteral("groups")][0].toObject();
        QCOMPARE(group[QStringLiteral("kind")].toString(), QStringLiteral("phash"));
        QVERIFY(!group[QStringLiteral("curator_keeper")].toBool());
        const QJsonArray members = group[QStringLiteral("members")].toArray();
        QVERIFY(members.size() >= 2);
        const qint64 automatic = group[QStringLiteral("keeper")].toInteger();
        QCOMPARE(members[0][QStringLiteral("id")].toInteger(), automatic);
        const qint64 chosen = members.last()[QStringLiteral("id")].toInteger();
        const double bits = members.last()[QStringLiteral("distance")].toDouble();
        QVERIFY(bits >= 0 && bits <= 3);
        QCOMPARE(reasonOf(chosen), QStringLiteral("near_duplicate"));

        const Run keep = realsyn({QStringLiteral("dupes"), m_project, QStringLiteral("--keep"), QString::number(chosen)});
        QVERIFY2(keep.code == 0, keep.err.constData());
        QVERIFY(keep.out.contains("curator's keeper"));
        QCOMPARE(reasonOf(automatic), QStringLiteral("near_duplicate"));
        QCOMPARE(reasonOf(chosen), QString());

        // Re-runs of extract that take every group apart and put them back.
        for (const char *setting : {"extract.near_duplicates=false", "extract.near_duplicates=true"}) {
            const Run r = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("extract"),
                                   QStringLiteral("--set"), QString::fromLatin1(setting)});
            QVERIFY2(r.code == 0, r.err.constData());
            if (QByteArray(setting).endsWith("false"))
                QCOMPARE(reasonOf(automatic), QString());
        }
        const QJsonObject after = phashGroupOf(dupes(), chosen);
        QCOMPARE(after[QStringLiteral("keeper")].toInteger(), chosen);
        QVERIFY(after[QStringLiteral("curator_keeper")].toBool());
        QCOMPARE(reasonOf(automatic), QStringLiteral("near_duplicate"));
        QCOMPARE(reasonOf(chosen), QString());

        const Run back = realsyn({QStringLiteral("dupes"), m_project, QStringLiteral("--auto"), QString::number(chosen)});
        QVERIFY2(back.code == 0, back.err.constData());
        QCOMPARE(phashGroupOf(dupes(), chosen)[QStringLiteral("keeper")].toInteger(), automatic);
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::newRow("not an id") << QStringList{QStringLiteral("--keep"), QStringLiteral("abc")} << 2;
        QTest::newRow("zero") << QStringList{QStringLiteral("--keep"), QStringLiteral("0")} << 2;
        QTest::newRow("keep and auto") << QStringList{QStringLiteral("--keep"), QStringLiteral("1"), QStringLiteral("--auto"), QStringLiteral("1")} << 2;
        QTest::newRow("bad kind") << QStringList{QStringLiteral("--kind"), QStringLiteral("sha")} << 2;
        QTest::newRow("in no group") << QStringList{QStringLiteral("--keep"), QStringLiteral("999999")} << 1;
    }

    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        const Run r = realsyn(QStringList{QStringLiteral("dupes"), m_project} + args);
        QCOMPARE(r.code, code);
        QVERIFY(!r.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDupes)
#include "test_dupes.moc"
