// The whole pipeline over the real demo corpus (Debian's gimp-help-en), as
// `packaging/dev.sh demo` runs it, checked on facts a person can verify.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/parquetdump.h"
#include "tests/support/processrun.h"

class TestDemoPipeline : public QObject {
    Q_OBJECT

    using Run = rs::test::ProcessRun;
    QString m_cli;
    QTemporaryDir m_tmp;
    QString m_project;
    const QString m_corpus = QStringLiteral("/usr/share/gimp/2.0/help/en");

    Run realsyn(const QStringList &args) { return rs::test::runProcess(m_cli, args, 600000); }
    QJsonObject json(const QStringList &args)
    {
        const Run r = realsyn(args);
        if (r.code != 0)
            qWarning() << r.err;
        return QJsonDocument::fromJson(r.out).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFile::exists(m_corpus)) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL("gimp-help-en is not installed: packaging/dev.sh deps must install it");
            QSKIP("gimp-help-en is not installed; unchecked: the whole pipeline on the demo corpus");
        }
        m_cli = rs::test::realsynPath();
        m_project = m_tmp.filePath(QStringLiteral("demo"));
        QCOMPARE(realsyn({QStringLiteral("init"), m_project}).code, 0);
        Run r = realsyn({QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus});
        QVERIFY2(r.code == 0, r.err.constData());
        r = realsyn({QStringLiteral("run"), m_project});
        QVERIFY2(r.code == 0, r.err.constData());
    }

    void everyStageIsDone()
    {
        const QJsonObject s = json({QStringLiteral("stats"), m_project, QStringLiteral("--json")});
        QCOMPARE(s.value(QStringLiteral("documents")).toInt(), 685);
        const QJsonObject stages = s.value(QStringLiteral("stages")).toObject();
        for (const char *stage : {"extract", "ground", "embed", "retrieve", "generate", "sample"})
            QCOMPARE(stages.value(QLatin1String(stage)).toString(), QStringLiteral("done"));
        const QJsonObject images = s.value(QStringLiteral("images")).toObject();
        QVERIFY(images.value(QStringLiteral("kept")).toInt() > 500);
        // Navigation icons (prev/next/up, 24-32 px) are too small for training.
        QVERIFY(images.value(QStringLiteral("rejected")).toObject().value(QStringLiteral("too_small")).toInt() > 100);
        const QJsonObject sampling = s.value(QStringLiteral("sampling")).toObject();
        QCOMPARE(sampling.value(QStringLiteral("cap")).toInt(), 20);
        QVERIFY(sampling.value(QStringLiteral("after")).toObject().value(QStringLiteral("max_cluster")).toInt() <= 20);
        QVERIFY(sampling.value(QStringLiteral("after")).toObject().value(QStringLiteral("gini")).toDouble()
                < sampling.value(QStringLiteral("before")).toObject().value(QStringLiteral("gini")).toDouble());

        const Run again = realsyn({QStringLiteral("run"), m_project});
        QCOMPARE(again.code, 0);
        QVERIFY(again.out.contains("nothing to do"));

        // An expert plugin appearing (here a second copy on REALSYN_PLUGIN_PATH)
        // changes the findings the ground stage stores: it and every stage
        // after it become stale, extract does not.
        const QString extra = m_tmp.filePath(QStringLiteral("more-plugins"));
        QDir().mkpath(extra);
        QVERIFY(QFile::copy(qEnvironmentVariable("REALSYN_BUILD_DIR") + QStringLiteral("/plugins/expert_opencv.so"),
                            extra + QStringLiteral("/expert_opencv_copy.so")));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("REALSYN_PLUGIN_PATH"), extra);
        p.setProcessEnvironment(env);
        p.start(m_cli, {QStringLiteral("stats"), m_project, QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(60000));
        const QJsonObject withPlugin = QJsonDocument::fromJson(p.readAllStandardOutput()).object().value(QStringLiteral("stages")).toObject();
        QCOMPARE(withPlugin.value(QStringLiteral("extract")).toString(), QStringLiteral("done"));
        QCOMPARE(withPlugin.value(QStringLiteral("ground")).toString(), QStringLiteral("stale"));
        QCOMPARE(withPlugin.value(QStringLiteral("generate")).toString(), QStringLiteral("stale"));
    }

    void cropToolFigure()
    {
        const QJsonArray all = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--json")}).out).array();
        qint64 id = -1;
        for (const QJsonValue &v : all)
            if (v.toObject().value(QStringLiteral("path")).toString().endsWith(QLatin1String("images/toolbox/toolbox-crop.png")))
                id = v.toObject().value(QStringLiteral("id")).toInteger();
        QVERIFY(id > 0);
        const QJsonObject d = json({QStringLiteral("show"), m_project, QString::number(id), QStringLiteral("--json")});
        QCOMPARE(d.value(QStringLiteral("kept")).toBool(), true);
        bool captionFound = false;
        for (const QJsonValue &p : d.value(QStringLiteral("provenance")).toArray())
            captionFound |= p.toObject().value(QStringLiteral("caption")).toString() == QStringLiteral("Figure 14.127. Crop tool");
        QVERIFY(captionFound);
        const QJsonArray retrieved = d.value(QStringLiteral("retrieved")).toArray();
        QCOMPARE(retrieved.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(retrieved[i].toObject().value(QStringLiteral("rank")).toInt(), i + 1);
            if (i > 0)
                QVERIFY(retrieved[i].toObject().value(QStringLiteral("score")).toDouble()
                        <= retrieved[i - 1].toObject().value(QStringLiteral("score")).toDouble());
        }
        // Fused retrieval keeps what each signal said about each text.
        for (const QJsonValue &r : retrieved) {
            const QJsonObject signals = r.toObject().value(QStringLiteral("signals")).toObject();
            for (const char *s : {"visual", "ocr", "context", "lexical"}) {
                QVERIFY2(signals.value(QLatin1String(s)).isDouble(), s);
                QVERIFY(signals.value(QLatin1String(s)).toDouble() >= 0 && signals.value(QLatin1String(s)).toDouble() <= 1);
            }
        }
        QVERIFY(!d.value(QStringLiteral("synthetic_text")).toString().isEmpty());
        QCOMPARE(d.value(QStringLiteral("generator")).toString(), QStringLiteral("builtin-generator-v2"));
    }

    void retrievalBeatsRandomTenfold()
    {
        const QJsonObject e = json({QStringLiteral("eval"), m_project, QStringLiteral("--json")});
        QVERIFY(e.value(QStringLiteral("evaluated_images")).toInt() > 50);
        const double random = e.value(QStringLiteral("random_recall_at_10")).toDouble();
        const double exact = e.value(QStringLiteral("exact")).toObject().value(QStringLiteral("recall_at_10")).toDouble();
        const double hier = e.value(QStringLiteral("hierarchical")).toObject().value(QStringLiteral("recall_at_10")).toDouble();
        qInfo("eval: exact R@10 %.3f, hierarchical R@10 %.3f, random %.4f, same-document %.3f", exact, hier, random,
              e.value(QStringLiteral("same_document_recall_at_10")).toDouble());
        QVERIFY(random > 0);
        QVERIFY(exact >= 10 * random);
        QVERIFY(hier >= 10 * random);
        QVERIFY(e.value(QStringLiteral("encoder")).toString().startsWith(QLatin1String("builtin")));

        // Strict fused retrieval, per signal (RESULTS.md has the table; the
        // floors here are well below it so that only a real regression fails).
        const QJsonObject signals = e.value(QStringLiteral("signals")).toObject();
        for (const char *s : {"visual", "ocr", "context", "lexical", "fused"}) {
            const QJsonObject o = signals.value(QLatin1String(s)).toObject();
            QVERIFY2(o.contains(QStringLiteral("recall_at_3")) && o.contains(QStringLiteral("images")), s);
            qInfo("strict %s: R@1 %.3f R@3 %.3f R@10 %.3f (%d images)", s, o.value(QStringLiteral("recall_at_1")).toDouble(),
                  o.value(QStringLiteral("recall_at_3")).toDouble(), o.value(QStringLiteral("recall_at_10")).toDouble(),
                  o.value(QStringLiteral("images")).toInt());
        }
        const QJsonObject fused = signals.value(QStringLiteral("fused")).toObject();
        QVERIFY(fused.value(QStringLiteral("recall_at_10")).toDouble() >= 0.45);
        QVERIFY(fused.value(QStringLiteral("recall_at_3")).toDouble() >= 0.25);
        QVERIFY(fused.value(QStringLiteral("recall_at_10")).toDouble() > exact);
    }

    void resamplingReusesEverythingUpstream()
    {
        QCOMPARE(realsyn({QStringLiteral("recipe"), m_project, QStringLiteral("--set"), QStringLiteral("sample.cap=35")}).code, 0);
        const QJsonObject stages = json({QStringLiteral("stats"), m_project, QStringLiteral("--json")}).value(QStringLiteral("stages")).toObject();
        QCOMPARE(stages.value(QStringLiteral("generate")).toString(), QStringLiteral("done"));
        QCOMPARE(stages.value(QStringLiteral("sample")).toString(), QStringLiteral("stale"));
        const Run r = realsyn({QStringLiteral("run"), m_project});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("ran: sample\n"), r.out.constData());
        QVERIFY(r.err.contains("reusing"));
    }

    void documentLocalRetrievalStaysInThePage()
    {
        // MMC4's mode: texts come only from the image's own page.
        Run r = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("retrieve"), QStringLiteral("--set"),
                         QStringLiteral("retrieve.mode=document")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray kept = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--kept"), QStringLiteral("--json")}).out).array();
        int checked = 0;
        for (int i = 0; i < kept.size() && checked < 15; i += 37) {
            const QJsonObject d = json({QStringLiteral("show"), m_project, QString::number(kept[i].toObject().value(QStringLiteral("id")).toInteger()),
                                        QStringLiteral("--json")});
            QStringList pages;
            for (const QJsonValue &p : d.value(QStringLiteral("provenance")).toArray())
                pages << p.toObject().value(QStringLiteral("document")).toString();
            const QJsonArray retrieved = d.value(QStringLiteral("retrieved")).toArray();
            if (retrieved.isEmpty())
                continue; // a page without kept prose has nothing to offer
            ++checked;
            for (const QJsonValue &t : retrieved)
                QVERIFY2(pages.contains(t.toObject().value(QStringLiteral("document")).toString()),
                         qPrintable(t.toObject().value(QStringLiteral("text")).toString()));
        }
        QVERIFY(checked > 5);
        // Back to the paper's mode for what follows.
        r = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--set"), QStringLiteral("retrieve.mode=hierarchical")});
        QVERIFY2(r.code == 0, r.err.constData());
    }

    void exportsTheSelection()
    {
        const QString out = m_tmp.filePath(QStringLiteral("wds"));
        const Run r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject manifest = QJsonDocument::fromJson([&] {
                                         QFile f(out + QStringLiteral("/manifest.json"));
                                         f.open(QIODevice::ReadOnly);
                                         return f.readAll();
                                     }())
                                         .object();
        const QJsonObject s = json({QStringLiteral("stats"), m_project, QStringLiteral("--json")});
        QCOMPARE(manifest.value(QStringLiteral("counts")).toObject().value(QStringLiteral("samples")).toInt(),
                 s.value(QStringLiteral("sampling")).toObject().value(QStringLiteral("selected")).toInt());
    }

    // The demo selection as parquet, read back by hyparquet: every row against
    // `list --selected` and the JSONL export of the same selection (every
    // column), and every 16th row against `show --json`.
    void parquetExportReadsBack()
    {
        QString why;
        const QString node = rs::test::parquetReaderNode(&why);
        if (node.isEmpty()) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        const QString pq = m_tmp.filePath(QStringLiteral("parquet")), jl = m_tmp.filePath(QStringLiteral("jsonl-text"));
        Run r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("parquet"), QStringLiteral("--out"), pq,
                         QStringLiteral("--no-images"), QStringLiteral("--compression"), QStringLiteral("zstd")});
        QVERIFY2(r.code == 0, r.err.constData());
        r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), jl,
                     QStringLiteral("--no-images")});
        QVERIFY2(r.code == 0, r.err.constData());
        const rs::test::ParquetDump d = rs::test::dumpParquet(node, {pq + QStringLiteral("/part-00000.parquet")});
        QVERIFY2(d.ok, d.error.constData());
        const QJsonArray selected = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--selected"), QStringLiteral("--json")}).out).array();
        QFile f(jl + QStringLiteral("/samples.jsonl"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(d.rows.size(), selected.size());
        QCOMPARE(qsizetype(d.rows.size()), qsizetype(lines.size() - 1)); // the file ends with a newline
        auto orEmpty = [](const QJsonValue &v) { return v.isNull() ? QString() : v.toString(); };
        for (qsizetype i = 0; i < d.rows.size(); ++i) {
            const QJsonObject row = d.rows[i];
            const qint64 id = row.value(QStringLiteral("image_id")).toInteger();
            QCOMPARE(id, selected[i].toObject().value(QStringLiteral("id")).toInteger());
            const QString path = selected[i].toObject().value(QStringLiteral("path")).toString();
            QCOMPARE(m_corpus + QLatin1Char('/') + row.value(QStringLiteral("raw_image_url")).toString(), path);
            const QJsonObject j = QJsonDocument::fromJson(lines[i]).object();
            const QJsonObject prov = j.value(QStringLiteral("realsyn")).toObject();
            QCOMPARE(prov.value(QStringLiteral("image_id")).toInteger(), id);
            const QJsonArray scores = prov.value(QStringLiteral("retrieval_scores")).toArray();
            for (int t = 0; t < 3; ++t) {
                const QString col = QStringLiteral("text%1").arg(t + 1);
                QCOMPARE(orEmpty(row.value(col)), j.value(col).toString());
                QCOMPARE(row.value(col).isNull(), t >= scores.size());
                if (t < scores.size())
                    QCOMPARE(row.value(col + QStringLiteral("_score")).toDouble(), scores[t].toDouble());
            }
            QCOMPARE(orEmpty(row.value(QStringLiteral("syn_text"))), j.value(QStringLiteral("syn_text")).toString());
            QCOMPARE(orEmpty(row.value(QStringLiteral("caption"))), prov.value(QStringLiteral("concise_caption")).toString());
            QCOMPARE(row.value(QStringLiteral("cluster")),
                     prov.contains(QStringLiteral("cluster")) ? prov.value(QStringLiteral("cluster")) : QJsonValue(QJsonValue::Null));
            QCOMPARE(row.value(QStringLiteral("width")), j.value(QStringLiteral("width")));
            QCOMPARE(row.value(QStringLiteral("height")), j.value(QStringLiteral("height")));
            QCOMPARE(row.value(QStringLiteral("sha256")), j.value(QStringLiteral("sha256")));
            QVERIFY(row.value(QStringLiteral("image_path")).isNull());
            QCOMPARE(row.value(QStringLiteral("split")).toString(), QStringLiteral("train"));
            if (i % 16 != 0)
                continue;
            const QJsonObject show = json({QStringLiteral("show"), m_project, QString::number(id), QStringLiteral("--json")});
            const QJsonArray retrieved = show.value(QStringLiteral("retrieved")).toArray();
            for (int t = 0; t < std::min<qsizetype>(3, retrieved.size()); ++t)
                QCOMPARE(row.value(QStringLiteral("text%1").arg(t + 1)).toString(), retrieved[t].toObject().value(QStringLiteral("text")).toString());
            QCOMPARE(row.value(QStringLiteral("syn_text")), show.value(QStringLiteral("synthetic_text")));
            QCOMPARE(row.value(QStringLiteral("caption")), show.value(QStringLiteral("caption")));
            QCOMPARE(row.value(QStringLiteral("sha256")), show.value(QStringLiteral("sha256")));
            QCOMPARE(row.value(QStringLiteral("width")), show.value(QStringLiteral("width")));
        }
    }

    // The reproducer: a stage-1 setting changed and changed back must
    // leave the project exactly as it was (embedding duplicates included,
    // every stage done), and in between nothing selected may lack its texts.
    void aSettingChangedAndBackLosesNothing()
    {
        const QStringList statsArgs{QStringLiteral("stats"), m_project, QStringLiteral("--json")};
        const QStringList selectedArgs{QStringLiteral("list"), m_project, QStringLiteral("--selected"), QStringLiteral("--json")};
        const QJsonObject before = json(statsArgs);
        const QByteArray selectedBefore = realsyn(selectedArgs).out;
        QVERIFY(before.value(QStringLiteral("images")).toObject().value(QStringLiteral("rejected")).toObject()
                    .value(QStringLiteral("embedding_duplicate")).toInt() > 0);

        Run r = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("extract"), QStringLiteral("--set"),
                         QStringLiteral("extract.min_side=150")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject stages = json(statsArgs).value(QStringLiteral("stages")).toObject();
        for (const char *stage : {"embed", "retrieve", "generate", "sample"})
            QVERIFY2(stages.value(QLatin1String(stage)).toString() == QStringLiteral("stale"), stage);
        // What sample selected had its texts; an image the new threshold
        // keeps (an embedding duplicate whose keeper is now too small) has
        // none yet and must not join the selection until the stages run.
        QSet<qint64> wasSelected;
        for (const QJsonValue &v : QJsonDocument::fromJson(selectedBefore).array())
            wasSelected.insert(v.toObject().value(QStringLiteral("id")).toInteger());
        for (const QJsonValue &v : QJsonDocument::fromJson(realsyn(selectedArgs).out).array()) {
            const qint64 id = v.toObject().value(QStringLiteral("id")).toInteger();
            if (wasSelected.contains(id))
                continue;
            const QJsonObject d = json({QStringLiteral("show"), m_project, QString::number(id), QStringLiteral("--json")});
            QVERIFY2(!d.value(QStringLiteral("retrieved")).toArray().isEmpty(), qPrintable(QString::number(id)));
            QVERIFY2(!d.value(QStringLiteral("synthetic_text")).toString().isEmpty(), qPrintable(QString::number(id)));
        }

        r = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("extract"), QStringLiteral("--set"),
                     QStringLiteral("extract.min_side=100")});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(json(statsArgs), before);
        QCOMPARE(realsyn(selectedArgs).out, selectedBefore);
        r = realsyn({QStringLiteral("run"), m_project});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("nothing to do"));
    }
};

QTEST_GUILESS_MAIN(TestDemoPipeline)
#include "test_demo_pipeline.moc"
