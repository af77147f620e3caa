// Parquet vs JSONL export of the same 100k synthetic text-only samples
// (issue #15: parquet must not be slower). A project is made with
// `realsyn init`, then filled through SQL with REALSYN_BENCH_ROWS (default
// 100,000) selected images, each with a document, three retrieved texts
// with scores, a synthetic text and a caption (seed 42). Both formats are
// exported with --no-images by the CLI, in alternating order (paired), and
// the median of REALSYN_BENCH_RUNS (default 5) wall times is reported, with
// the parquet export alone per compression.

#include "tests/bench/demoproject.h"

#include <QDir>
#include <QDirIterator>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class BenchParquet : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_project;
    int m_rows = 100000;

    static qint64 folderBytes(const QString &dir)
    {
        qint64 bytes = 0;
        QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            bytes += QFileInfo(it.next()).size();
        return bytes;
    }

    double exportOnce(const QString &format, const QString &compression, qint64 *bytes)
    {
        const QString out = m_tmp.filePath(QStringLiteral("out"));
        QDir(out).removeRecursively();
        QStringList args{QStringLiteral("export"), m_project, QStringLiteral("--format"), format, QStringLiteral("--out"), out, QStringLiteral("--no-images")};
        if (!compression.isEmpty())
            args << QStringLiteral("--compression") << compression;
        const double s = rs::bench::timedCli(args);
        if (bytes)
            *bytes = folderBytes(out);
        return s;
    }

    static double median(QVector<double> v)
    {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIntValue("REALSYN_BENCH_ROWS") > 0)
            m_rows = qEnvironmentVariableIntValue("REALSYN_BENCH_ROWS");
        m_project = m_tmp.filePath(QStringLiteral("project"));
        QVERIFY(rs::bench::timedCli({QStringLiteral("init"), m_project}) >= 0);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bench"));
        db.setDatabaseName(m_project + QStringLiteral("/project.sqlite"));
        QVERIFY(db.open());
        QVERIFY(db.transaction());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("INSERT INTO sources(id, format, path, added_at) VALUES(1, 'html', '/corpus', '2026-01-01T00:00:00Z')")));
        QSqlQuery doc(db), img(db), ref(db), sent(db), ret(db), gen(db);
        QVERIFY(doc.prepare(QStringLiteral("INSERT INTO documents(id, source_id, doc_key, url) VALUES(?, 1, ?, ?)")));
        QVERIFY(img.prepare(QStringLiteral("INSERT INTO images(id, image_key, path, probed, width, height, sha256, cluster) VALUES(?, ?, ?, 1, ?, ?, ?, ?)")));
        QVERIFY(ref.prepare(QStringLiteral("INSERT INTO image_refs(image_id, document_id, position, src) VALUES(?, ?, 1, ?)")));
        QVERIFY(sent.prepare(QStringLiteral("INSERT INTO sentences(id, document_id, position, block, kind, text, words, entropy, has_url, has_email,"
                                            " has_emoji, dedup_key) VALUES(?, ?, ?, 0, 'prose', ?, 12, 3.5, 0, 0, 0, ?)")));
        QVERIFY(ret.prepare(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score) VALUES(?, ?, ?, ?)")));
        QVERIFY(gen.prepare(QStringLiteral("INSERT INTO generations(image_id, input_hash, caption, synthetic_text, generator, created_at)"
                                           " VALUES(?, 'h', ?, ?, 'builtin', '2026-01-01T00:00:00Z')")));
        const QStringList words{QStringLiteral("layer"), QStringLiteral("brush"),  QStringLiteral("Größe"), QStringLiteral("canvas"),
                                QStringLiteral("filter"), QStringLiteral("gaussian"), QStringLiteral("selection"), QStringLiteral("café"),
                                QStringLiteral("palette"), QStringLiteral("gradient"), QStringLiteral("tool"), QStringLiteral("dialog")};
        QRandomGenerator rng(42);
        auto sentence = [&](int n) {
            QStringList s;
            for (int w = 0; w < n; ++w)
                s << words[rng.bounded(words.size())];
            return QString(s.join(QLatin1Char(' ')) + QLatin1Char('.'));
        };
        for (int i = 1; i <= m_rows; ++i) {
            doc.addBindValue(i);
            doc.addBindValue(QStringLiteral("html:page%1.html").arg(i));
            doc.addBindValue(QVariant());
            QVERIFY2(doc.exec(), qPrintable(doc.lastError().text()));
            img.addBindValue(i);
            img.addBindValue(QStringLiteral("img%1").arg(i));
            img.addBindValue(QStringLiteral("/corpus/images/img%1.jpg").arg(i));
            img.addBindValue(int(rng.bounded(200, 2000)));
            img.addBindValue(int(rng.bounded(200, 2000)));
            img.addBindValue(QString::fromLatin1(QByteArray::number(rng.generate64(), 16).repeated(4).left(64)));
            img.addBindValue(int(rng.bounded(316)));
            QVERIFY(img.exec());
            ref.addBindValue(i);
            ref.addBindValue(i);
            ref.addBindValue(QStringLiteral("images/img%1.jpg").arg(i));
            QVERIFY(ref.exec());
            for (int r = 0; r < 3; ++r) {
                const int sid = 3 * (i - 1) + r + 1;
                const QString text = sentence(int(rng.bounded(8, 30)));
                sent.addBindValue(sid);
                sent.addBindValue(i);
                sent.addBindValue(r);
                sent.addBindValue(text);
                sent.addBindValue(QString::number(sid));
                QVERIFY(sent.exec());
                ret.addBindValue(i);
                ret.addBindValue(r + 1);
                ret.addBindValue(sid);
                ret.addBindValue(1.0 - r * 0.1 - rng.generateDouble() * 0.05);
                QVERIFY(ret.exec());
            }
            gen.addBindValue(i);
            gen.addBindValue(sentence(6));
            gen.addBindValue(sentence(int(rng.bounded(20, 60))));
            QVERIFY(gen.exec());
        }
        QVERIFY(db.commit());
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("bench"));
    }

    // Paired: each run exports JSONL and parquet (snappy) back to back, the
    // order alternating, so both see the same machine load.
    void parquetVsJsonl()
    {
        const int runs = qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 5;
        QVector<double> parquet, jsonl, ratio;
        qint64 parquetBytes = 0, jsonlBytes = 0;
        for (int r = 0; r < runs; ++r) {
            double p, j;
            if (r % 2 == 0) {
                j = exportOnce(QStringLiteral("jsonl"), {}, &jsonlBytes);
                p = exportOnce(QStringLiteral("parquet"), QStringLiteral("snappy"), &parquetBytes);
            } else {
                p = exportOnce(QStringLiteral("parquet"), QStringLiteral("snappy"), &parquetBytes);
                j = exportOnce(QStringLiteral("jsonl"), {}, &jsonlBytes);
            }
            QVERIFY(p > 0 && j > 0);
            parquet << p;
            jsonl << j;
            ratio << p / j;
            qInfo("run %d: jsonl %.2f s, parquet %.2f s", r + 1, j, p);
        }
        qInfo("%d rows, median of %d paired runs: jsonl %.2f s (%.1f MB), parquet/snappy %.2f s (%.1f MB), parquet/jsonl time ratio %.3f",
              m_rows, runs, median(jsonl), jsonlBytes / 1e6, median(parquet), parquetBytes / 1e6, median(ratio));
    }

    void parquetCompressions()
    {
        const int runs = qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") > 0 ? qEnvironmentVariableIntValue("REALSYN_BENCH_RUNS") : 5;
        for (const QString &c : {QStringLiteral("none"), QStringLiteral("snappy"), QStringLiteral("zstd")}) {
            QVector<double> t;
            qint64 bytes = 0;
            for (int r = 0; r < runs; ++r)
                t << exportOnce(QStringLiteral("parquet"), c, &bytes);
            QVERIFY(median(t) > 0);
            qInfo("parquet/%s: %.2f s (median of %d), %.1f MB", qPrintable(c), median(t), runs, bytes / 1e6);
        }
    }
};

QTEST_GUILESS_MAIN(BenchParquet)
#include "bench_parquet.moc"
