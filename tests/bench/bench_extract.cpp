// Stage-1 benchmark: ingest + extract of the demo corpus (Debian's
// gimp-help-en) through the real CLI, with 1 and 2 threads. Prints
// documents/s, images/s, sentences/s and peak resident memory (sampled from
// /proc every 10 ms), median of REALSYN_BENCH_RUNS runs (default 3).

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>

class BenchExtract : public QObject {
    Q_OBJECT

    struct Timed {
        double seconds = 0;
        qint64 peakKb = 0;
        bool ok = false;
    };

    static qint64 rssKb(qint64 pid)
    {
        QFile f(QStringLiteral("/proc/%1/status").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').first().toLongLong();
        return 0;
    }

    Timed timed(const QStringList &args)
    {
        QProcess p;
        QElapsedTimer clock;
        clock.start();
        p.start(m_cli, args);
        p.waitForStarted();
        Timed t;
        while (!p.waitForFinished(10))
            t.peakKb = std::max(t.peakKb, rssKb(p.processId()));
        t.seconds = clock.elapsed() / 1000.0;
        t.ok = p.exitCode() == 0;
        if (!t.ok)
            qWarning() << p.readAllStandardError();
        return t;
    }

    QString m_cli;

private Q_SLOTS:
    void extractDemoCorpus_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("2 threads") << 2;
    }
    void extractDemoCorpus()
    {
        QFETCH(int, threads);
        const QString corpus = QStringLiteral("/usr/share/gimp/2.0/help/en");
        if (!QFile::exists(corpus))
            QSKIP("gimp-help-en is not installed (packaging/dev.sh deps installs it)");
        m_cli = qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/bin/realsyn");
        const int runs = qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 3;
        QVector<double> ingestS, extractS;
        qint64 peak = 0;
        QJsonObject stats;
        for (int r = 0; r < runs; ++r) {
            QTemporaryDir tmp;
            const QString project = tmp.filePath(QStringLiteral("p"));
            QVERIFY(timed({QStringLiteral("init"), project}).ok);
            QVERIFY(timed({QStringLiteral("recipe"), project, QStringLiteral("--set"), QStringLiteral("threads=%1").arg(threads)}).ok);
            const Timed ingest = timed({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), corpus});
            const Timed extract = timed({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
            QVERIFY(ingest.ok && extract.ok);
            ingestS << ingest.seconds;
            extractS << extract.seconds;
            peak = std::max({peak, ingest.peakKb, extract.peakKb});
            QProcess s;
            s.start(m_cli, {QStringLiteral("stats"), project, QStringLiteral("--json")});
            s.waitForFinished();
            stats = QJsonDocument::fromJson(s.readAllStandardOutput()).object();
        }
        std::sort(ingestS.begin(), ingestS.end());
        std::sort(extractS.begin(), extractS.end());
        const double in = ingestS[runs / 2], ex = extractS[runs / 2], total = in + ex;
        const qint64 docs = stats.value(QStringLiteral("documents")).toInteger();
        const qint64 images = stats.value(QStringLiteral("images")).toObject().value(QStringLiteral("total")).toInteger();
        const qint64 sentences = stats.value(QStringLiteral("sentences")).toObject().value(QStringLiteral("total")).toInteger();
        qInfo("threads=%d runs=%d ingest %.2f s, extract %.2f s (median); %.0f documents/s, %.0f images/s, %.0f sentences/s "
              "over ingest+extract; peak RSS %.0f MB; %lld documents, %lld images, %lld sentences",
              threads, runs, in, ex, docs / total, images / total, sentences / total, peak / 1024.0, docs, images, sentences);
    }
};

QTEST_GUILESS_MAIN(BenchExtract)
#include "bench_extract.moc"
