// Stage-3 benchmark: the whole generate stage (experts: OCR in auto mode,
// faces, quality; built-in captioner and generator; similarity) over the
// demo corpus, 1 and 2 threads, on fresh copies of a project run until
// retrieve. Median of REALSYN_BENCH_RUNS (default 3).

#include "tests/bench/demoproject.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class BenchGenerate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void generateDemoCorpus_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("2 threads") << 2;
    }
    void generateDemoCorpus()
    {
        QFETCH(int, threads);
        const QString base = rs::bench::cachedDemoProject(QStringLiteral("retrieve"));
        if (base.isEmpty())
            QSKIP("no demo project (gimp-help-en missing or a stage failed)");
        const int runs = qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 3;
        QVector<double> seconds;
        for (int r = 0; r < runs; ++r) {
            QTemporaryDir tmp;
            const QString project = tmp.filePath(QStringLiteral("p"));
            QVERIFY(rs::bench::copyProject(base, project));
            QVERIFY(rs::bench::timedCli({QStringLiteral("recipe"), project, QStringLiteral("--set"), QStringLiteral("threads=%1").arg(threads)}) >= 0);
            const double s = rs::bench::timedCli({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("generate")});
            QVERIFY(s >= 0);
            seconds << s;
        }
        std::sort(seconds.begin(), seconds.end());
        QProcess p;
        p.start(rs::bench::cliPath(), {QStringLiteral("stats"), base, QStringLiteral("--json")});
        p.waitForFinished();
        const int images = int(QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("images")).toObject().value(QStringLiteral("kept")).toInt());
        qInfo("threads=%d: generate stage over %d kept images in %.1f s (median of %d) = %.1f images/s", threads, images,
              seconds[runs / 2], runs, images / seconds[runs / 2]);
    }
};

QTEST_GUILESS_MAIN(BenchGenerate)
#include "bench_generate.moc"
