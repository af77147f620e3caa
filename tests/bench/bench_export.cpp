// Export throughput: the demo corpus's selection (a project run through
// every stage) written as WebDataset shards, JSONL and CSV. Samples/s and
// MB/s, median of REALSYN_BENCH_RUNS (default 3).

#include "tests/bench/demoproject.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class BenchExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exportDemoSelection_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("wds") << QStringLiteral("wds");
        QTest::newRow("jsonl") << QStringLiteral("jsonl");
        QTest::newRow("csv") << QStringLiteral("csv");
    }
    void exportDemoSelection()
    {
        QFETCH(QString, format);
        const QString project = rs::bench::cachedDemoProject(QStringLiteral("sample"));
        if (project.isEmpty())
            QSKIP("no demo project (gimp-help-en missing or a stage failed)");
        const int runs = qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 3;
        QVector<double> seconds;
        qint64 bytes = 0, samples = 0;
        for (int r = 0; r < runs; ++r) {
            QTemporaryDir tmp;
            const QString out = tmp.filePath(QStringLiteral("out"));
            const double s = rs::bench::timedCli({QStringLiteral("export"), project, QStringLiteral("--format"), format, QStringLiteral("--out"), out});
            QVERIFY(s >= 0);
            seconds << s;
            bytes = 0;
            QDirIterator it(out, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                bytes += QFileInfo(it.next()).size();
            QFile m(out + QStringLiteral("/manifest.json"));
            m.open(QIODevice::ReadOnly);
            samples = QJsonDocument::fromJson(m.readAll()).object().value(QStringLiteral("counts")).toObject().value(QStringLiteral("samples")).toInteger();
        }
        std::sort(seconds.begin(), seconds.end());
        const double s = seconds[runs / 2];
        qInfo("%s: %lld samples, %.1f MB in %.2f s (median of %d): %.0f samples/s, %.1f MB/s", qPrintable(format), samples, bytes / 1e6, s, runs,
              samples / s, bytes / 1e6 / s);
    }
};

QTEST_GUILESS_MAIN(BenchExport)
#include "bench_export.moc"
