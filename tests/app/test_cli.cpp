// End-to-end checks of the `realsyn` command-line contract on a small
// generated HTML corpus whose every image and sentence has a known fate.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/processrun.h"

#include <csignal>

class TestCli : public QObject {
    Q_OBJECT

    using Run = rs::test::ProcessRun;

    QString m_cli;
    QTemporaryDir m_tmp;
    QString m_corpus;

    Run realsyn(const QStringList &args) { return rs::test::runProcess(m_cli, args, 120000); }

    QJsonObject stats(const QString &project)
    {
        const Run r = realsyn({QStringLiteral("stats"), project, QStringLiteral("--json")});
        if (r.code != 0)
            qWarning() << r.err;
        return QJsonDocument::fromJson(r.out).object();
    }

    static void writeFile(const QString &path, const QByteArray &data)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }

    static QImage drawing(int w, int h, QColor colour, int variant)
    {
        QImage img(w, h, QImage::Format_RGB32);
        img.fill(Qt::white);
        QPainter painter(&img);
        painter.setBrush(colour);
        painter.drawEllipse(QRect(w / 8 + variant * 3, h / 8, w / 2, h / 2));
        painter.fillRect(QRect(w / 2, h / 2, w / 3, h / 3), QColor(20, 20, 20));
        return img;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cli = rs::test::realsynPath();
        QVERIFY2(QFileInfo(m_cli).isExecutable(), qPrintable(m_cli));
        m_corpus = m_tmp.filePath(QStringLiteral("corpus"));
        QDir().mkpath(m_corpus + QStringLiteral("/img"));
        const auto save = [&](const QImage &img, const QString &name, const char *fmt) {
            QVERIFY(img.save(m_corpus + QStringLiteral("/img/") + name, fmt));
        };
        save(drawing(320, 240, Qt::red, 0), QStringLiteral("red.png"), "PNG");
        save(drawing(320, 240, Qt::red, 0), QStringLiteral("red_again.jpg"), "JPEG"); // near duplicate of red.png
        QFile::copy(m_corpus + QStringLiteral("/img/red.png"), m_corpus + QStringLiteral("/img/red_copy.png")); // exact duplicate
        save(drawing(300, 300, Qt::blue, 5).transformed(QTransform().rotate(90)), QStringLiteral("blue.png"), "PNG");
        save(drawing(60, 60, Qt::green, 0), QStringLiteral("tiny.png"), "PNG");
        save(drawing(800, 120, Qt::yellow, 0), QStringLiteral("banner.png"), "PNG");
        writeFile(m_corpus + QStringLiteral("/img/zero.png"), QByteArray());
        writeFile(m_corpus + QStringLiteral("/img/garbage.png"), QByteArray("\x89PNG\r\n\x1a\n this is not really a png", 34));

        writeFile(m_corpus + QStringLiteral("/index.html"), "<!DOCTYPE html>\n"
            "<html><head><title>Test page</title><style>p { color: red }</style></head><body>\n"
            "<div class=\"navheader\"><a href=\"a.html\">Previous page of the manual</a> and <a href=\"b.html\">the next page of it</a></div>\n"
            "<h1>Painting with circles</h1>\n"
            "<p>The red circle tool paints a filled circle on the canvas. Dr. Smith designed it in 2019 for version 2.10.34 of the program.</p>\n"
            "<div class=\"figure\"><p class=\"title\"><strong>Figure 1. The red circle on a white canvas</strong></p>\n"
            "<div class=\"figure-contents\"><img src=\"img/red.png\" alt=\"A red circle\"/></div></div>\n"
            "<p>Visit http://example.com/tools for more circle tools today.</p>\n"
            "<p>Ok.</p>\n"
            "<p>The red circle tool paints a filled circle on the canvas.</p>\n"
            "<pre>for circle in circles: paint(circle, colour=red)</pre>\n"
            "<img src=\"img/red_copy.png\" alt=\"the same red circle copied\"/>\n"
            "<img src=\"img/red_again.jpg\" alt=\"the red circle saved again as JPEG\"/>\n"
            "<img src=\"img/blue.png\" alt=\"a blue circle rotated sideways\"/>\n"
            "<img src=\"img/tiny.png\"/><img src=\"img/banner.png\"/>\n"
            "<img src=\"img/zero.png\"/><img src=\"img/garbage.png\"/><img src=\"img/missing.png\"/>\n"
            "<img src=\"http://example.com/remote.png\"/><img src=\"../../../../etc/passwd\"/>\n"
            "<script>document.write(\"never text\")</script>\n"
            "</body></html>");
        writeFile(m_corpus + QStringLiteral("/sub/other.html"), "<html><body>\n"
            "<p>A second page shows the blue circle tool with its options dialog.</p>\n"
            "<img src=\"../img/blue.png\" alt=\"a blue circle rotated sideways\"/>\n"
            "</body></html>");
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString missing = m_tmp.filePath(QStringLiteral("no-such-project"));
        QTest::newRow("no command") << QStringList{} << QStringLiteral("usage");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("unknown command");
        QTest::newRow("stats of missing folder") << QStringList{QStringLiteral("stats"), missing} << QStringLiteral("no such folder");
        QTest::newRow("not a project") << QStringList{QStringLiteral("stats"), m_corpus} << QStringLiteral("not a RealSyn project");
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = realsyn(args);
        QVERIFY(r.code != 0);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void endToEnd()
    {
        const QString project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(realsyn({QStringLiteral("init"), project}).code, 0);
        QVERIFY(realsyn({QStringLiteral("init"), project}).code != 0); // never over an existing project

        Run r = realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus});
        QVERIFY2(r.code == 0, r.err.constData());
        QJsonObject s = stats(project);
        QCOMPARE(s.value(QStringLiteral("documents")).toInt(), 2);
        QCOMPARE(s.value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(), QStringLiteral("not-run"));

        // Ingesting the same source again adds nothing.
        r = realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("ingested 0 new documents (2 already present"), r.out.constData());

        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        QVERIFY2(r.code == 0, r.err.constData());
        s = stats(project);
        QCOMPARE(s.value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(), QStringLiteral("done"));

        const QJsonObject images = s.value(QStringLiteral("images")).toObject();
        const QJsonObject rejected = images.value(QStringLiteral("rejected")).toObject();
        // blue.png is referenced by both pages and counted once.
        QCOMPARE(images.value(QStringLiteral("total")).toInt(), 11);
        QCOMPARE(images.value(QStringLiteral("kept")).toInt(), 2); // red.png, blue.png
        QCOMPARE(rejected.value(QStringLiteral("exact_duplicate")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("near_duplicate")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("too_small")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("bad_aspect")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("unreadable")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("decode_failed")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("missing_file")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("not_local")).toInt(), 1);
        QCOMPARE(rejected.value(QStringLiteral("outside_corpus")).toInt(), 1);

        // Probe failures are in the project's issue log, not only on stderr.
        QVERIFY(s.value(QStringLiteral("issues")).toObject().value(QStringLiteral("extract")).toInt() >= 2);

        const QJsonObject sentences = s.value(QStringLiteral("sentences")).toObject();
        const QJsonObject srej = sentences.value(QStringLiteral("rejected")).toObject();
        QCOMPARE(srej.value(QStringLiteral("has_url")).toInt(), 1);
        QCOMPARE(srej.value(QStringLiteral("code_block")).toInt(), 1);
        QVERIFY(srej.value(QStringLiteral("navigation")).toInt() >= 1);
        QVERIFY(srej.value(QStringLiteral("too_few_words")).toInt() >= 1); // "Ok."
        QVERIFY(srej.value(QStringLiteral("exact_duplicate")).toInt() >= 1); // repeated sentence, repeated alt
        const int keptSentences = sentences.value(QStringLiteral("kept")).toInt();
        QVERIFY(keptSentences >= 6);

        // Changing a threshold re-decides from stored scores: stale first, no re-ingest.
        r = realsyn({QStringLiteral("recipe"), project, QStringLiteral("--set"), QStringLiteral("extract.min_side=50")});
        QCOMPARE(r.code, 0);
        s = stats(project);
        QCOMPARE(s.value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(), QStringLiteral("stale"));
        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        QCOMPARE(r.code, 0);
        s = stats(project);
        QCOMPARE(s.value(QStringLiteral("documents")).toInt(), 2);
        QCOMPARE(s.value(QStringLiteral("images")).toObject().value(QStringLiteral("kept")).toInt(), 3);
        QVERIFY(!s.value(QStringLiteral("images")).toObject().value(QStringLiteral("rejected")).toObject().contains(QStringLiteral("too_small")));

        // The optional quality filter: BRISQUE scores come from the quality
        // expert plugin; an absurdly strict bound drops every usable image as
        // low_quality, switching it off restores them without re-scoring.
        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract"), QStringLiteral("--set"),
                     QStringLiteral("extract.max_brisque=0.001")});
        QVERIFY2(r.code == 0, r.err.constData());
        s = stats(project);
        QCOMPARE(s.value(QStringLiteral("images")).toObject().value(QStringLiteral("kept")).toInt(), 0);
        QCOMPARE(s.value(QStringLiteral("images")).toObject().value(QStringLiteral("rejected")).toObject().value(QStringLiteral("low_quality")).toInt(), 5); // the 3 kept and the 2 duplicates, whose first failing reason it now is
        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract"), QStringLiteral("--set"),
                     QStringLiteral("extract.max_brisque=0")});
        QCOMPARE(r.code, 0);
        QCOMPARE(stats(project).value(QStringLiteral("images")).toObject().value(QStringLiteral("kept")).toInt(), 3);

        // Bad settings are refused with a one-line error and change nothing.
        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--set"), QStringLiteral("extract.min_side=-4")});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("extract.min_side"));
        r = realsyn({QStringLiteral("recipe"), project, QStringLiteral("--set"), QStringLiteral("no.such=1")});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("unknown setting"));
        r = realsyn({QStringLiteral("recipe"), project, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject recipe = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(recipe.value(QStringLiteral("extract.min_side")).toObject().value(QStringLiteral("value")).toString(), QStringLiteral("50"));
        QCOMPARE(recipe.value(QStringLiteral("extract.min_side")).toObject().value(QStringLiteral("default")).toString(), QStringLiteral("100"));

        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("polish")});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("unknown stage"));
        r = realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("pdf"), m_corpus});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("unknown format"));
    }

    // Issue 11: usage errors exit 2 with a message that says what is wrong;
    // long curated texts come from a file or stdin; a garbled lock is reclaimed.
    void usageContract()
    {
        const QString project = m_tmp.filePath(QStringLiteral("contract"));
        QCOMPARE(realsyn({QStringLiteral("init"), project}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus}).code, 0);

        Run r = realsyn({QStringLiteral("stats"), project, QStringLiteral("--bogus")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("Unknown option"), r.err.constData());
        r = realsyn({QStringLiteral("recipe"), project, QStringLiteral("--set"), QStringLiteral("extract.min_side=-4")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("extract.min_side"), r.err.constData());
        QCOMPARE(realsyn({QStringLiteral("run"), project, QStringLiteral("--set"), QStringLiteral("no.such=1")}).code, 2);
        r = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("polish")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("unknown stage"), r.err.constData());
        QCOMPARE(realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("pdf"), m_corpus}).code, 2);
        QCOMPARE(realsyn({QStringLiteral("export"), project, QStringLiteral("--format"), QStringLiteral("zip"), QStringLiteral("--out"),
                          m_tmp.filePath(QStringLiteral("zip"))}).code, 2);
        QCOMPARE(realsyn({QStringLiteral("stats"), project, QStringLiteral("--json"), QStringLiteral("extra")}).code, 2);

        for (const QString &id : {QStringLiteral("-5"), QStringLiteral("0"), QStringLiteral("x")}) {
            r = realsyn({QStringLiteral("show"), project, id});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("must be a positive integer") && !r.err.contains("Unknown option"), r.err.constData());
        }
        r = realsyn({QStringLiteral("decide"), project, QStringLiteral("-1"), QStringLiteral("accept")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("positive integer"), r.err.constData());

        const QString out = m_tmp.filePath(QStringLiteral("contract-export"));
        for (const char *split : {"val=nan", "val=inf", "val=-0.1", "val=1", "val=1.5", "val=abc"}) {
            r = realsyn({QStringLiteral("export"), project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), out,
                         QStringLiteral("--split"), QString::fromLatin1(split)});
            QVERIFY2(r.code == 2, split);
            QVERIFY2(r.err.contains("--split"), r.err.constData());
        }
        QVERIFY(!QFile::exists(out));

        // A long edit from a file, then from stdin.
        QString longText;
        for (int i = 0; i < 400; ++i)
            longText += QStringLiteral("Sentence %1 of a long, curated description with \"quotes\" and 'apostrophes'.\n").arg(i);
        const QString file = m_tmp.filePath(QStringLiteral("syn.txt"));
        writeFile(file, longText.toUtf8());
        r = realsyn({QStringLiteral("edit"), project, QStringLiteral("1"), QStringLiteral("--syn-text-file"), file});
        QVERIFY2(r.code == 0, r.err.constData());
        auto shown = [&] {
            return QJsonDocument::fromJson(realsyn({QStringLiteral("show"), project, QStringLiteral("1"), QStringLiteral("--json")}).out)
                .object().value(QStringLiteral("synthetic_text")).toString();
        };
        QCOMPARE(shown(), longText.trimmed());
        // The edit is reported as the curator's, not as a generator's.
        const QJsonObject edited =
            QJsonDocument::fromJson(realsyn({QStringLiteral("show"), project, QStringLiteral("1"), QStringLiteral("--json")}).out).object();
        QCOMPARE(edited.value(QStringLiteral("generator")).toString(), QStringLiteral("curator"));
        QCOMPARE(edited.value(QStringLiteral("curator_syn_text")).toString(), longText.trimmed());
        QVERIFY(edited.value(QStringLiteral("synthetic_text_edited")).toBool());
        r = rs::test::runProcess(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), QStringLiteral("printf 'Typed into a pipe.' | \"$0\" edit \"$1\" 1 --syn-text-file -"),
                                                               m_cli, project});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(shown(), QStringLiteral("Typed into a pipe."));
        r = realsyn({QStringLiteral("edit"), project, QStringLiteral("1"), QStringLiteral("--syn-text"), QStringLiteral("a"),
                     QStringLiteral("--syn-text-file"), file});
        QCOMPARE(r.code, 2);
        r = realsyn({QStringLiteral("edit"), project, QStringLiteral("1"), QStringLiteral("--syn-text-file"), m_tmp.filePath(QStringLiteral("nope.txt"))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("nope.txt"), r.err.constData());

        // An empty lock file left by a crash does not block writers forever.
        writeFile(project + QStringLiteral("/project.lock"), QByteArray());
        r = realsyn({QStringLiteral("recipe"), project, QStringLiteral("--set"), QStringLiteral("seed=3")});
        QVERIFY2(r.code == 0, r.err.constData());
    }

    void importEmbeddings()
    {
        // Vectors computed elsewhere: ids as `list` prints them, one .npy row each.
        const QString project = m_tmp.filePath(QStringLiteral("project")); // made by endToEnd
        const QByteArray list = realsyn({QStringLiteral("list"), project, QStringLiteral("--kept"), QStringLiteral("--json")}).out;
        const QJsonArray kept = QJsonDocument::fromJson(list).array();
        QVERIFY(kept.size() >= 2);
        QString ids;
        for (const QJsonValue &v : kept)
            ids += QString::number(v.toObject().value(QStringLiteral("id")).toInteger()) + QLatin1Char('\n');
        writeFile(m_tmp.filePath(QStringLiteral("ids.txt")), ids.toUtf8());
        writeFile(m_tmp.filePath(QStringLiteral("bad-ids.txt")), "1\nnot-a-number\n");
        writeFile(m_tmp.filePath(QStringLiteral("unknown-ids.txt")), "999999\n");
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"), QStringLiteral("import numpy as np, sys; np.save(sys.argv[1], np.random.rand(%1, 16).astype(np.float16));"
                                                       " np.save(sys.argv[2], np.random.rand(%1 + 1, 16).astype(np.float32))")
                                            .arg(kept.size()),
                  m_tmp.filePath(QStringLiteral("v.npy")), m_tmp.filePath(QStringLiteral("wrong.npy"))});
        if (!py.waitForFinished(30000) || py.exitCode() != 0)
            QSKIP("python3 with numpy not available; unchecked: import-embeddings");
        const auto import = [&](const char *idsFile, const char *npy) {
            return realsyn({QStringLiteral("import-embeddings"), project, QStringLiteral("--kind"), QStringLiteral("image"), QStringLiteral("--ids"),
                            m_tmp.filePath(QLatin1String(idsFile)), QStringLiteral("--vectors"), m_tmp.filePath(QLatin1String(npy)),
                            QStringLiteral("--model"), QStringLiteral("my-clip")});
        };
        Run r = import("ids.txt", "wrong.npy");
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("vector rows"), r.err.constData());
        r = import("bad-ids.txt", "v.npy");
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("not an id"), r.err.constData());
        r = import("unknown-ids.txt", "v.npy");
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("no image with id"), r.err.constData());
        r = import("ids.txt", "missing.npy");
        QVERIFY(r.code != 0);
        r = import("ids.txt", "v.npy");
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("imported"));
        const QJsonObject recipe = QJsonDocument::fromJson(realsyn({QStringLiteral("recipe"), project, QStringLiteral("--json")}).out).object();
        QCOMPARE(recipe.value(QStringLiteral("embed.model")).toObject().value(QStringLiteral("value")).toString(), QStringLiteral("imported:my-clip"));
    }

    void ctrlCStopsCleanlyAndRunResumes()
    {
        // Enough large images that probing takes seconds, so the signal
        // arrives mid-stage.
        const QString corpus = m_tmp.filePath(QStringLiteral("big"));
        QDir().mkpath(corpus);
        QString html;
        QImage noise(1600, 1200, QImage::Format_RGB32);
        for (int i = 0; i < 120; ++i) {
            quint32 state = 2654435761u * quint32(i + 1);
            for (int y = 0; y < noise.height(); ++y) {
                auto *line = reinterpret_cast<QRgb *>(noise.scanLine(y));
                for (int x = 0; x < noise.width(); ++x) {
                    state = state * 1664525u + 1013904223u;
                    line[x] = 0xff000000u | (state >> 8);
                }
            }
            QVERIFY(noise.save(corpus + QStringLiteral("/n%1.jpg").arg(i), "JPEG", 90));
            html += QStringLiteral("<img src=\"n%1.jpg\" alt=\"noise picture number %1\"/>").arg(i);
        }
        writeFile(corpus + QStringLiteral("/index.html"), html.toUtf8());
        const QString project = m_tmp.filePath(QStringLiteral("interrupted"));
        QCOMPARE(realsyn({QStringLiteral("init"), project}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), corpus}).code, 0);

        QProcess p;
        p.start(m_cli, {QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract"), QStringLiteral("--set"),
                        QStringLiteral("threads=1")});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QElapsedTimer clock;
        clock.start();
        while (!err.contains("probing images") && clock.elapsed() < 60000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(50);
            err += p.readAllStandardError();
        }
        QVERIFY2(p.state() == QProcess::Running, "the stage finished before it could be interrupted");
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("interrupted"), err.constData());

        // Nothing is corrupted: the project opens, extract is not done, and a
        // second run finishes the probing it had left.
        QJsonObject s = stats(project);
        QCOMPARE(s.value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(), QStringLiteral("not-run"));
        const Run again = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        QVERIFY2(again.code == 0, again.err.constData());
        s = stats(project);
        QCOMPARE(s.value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(), QStringLiteral("done"));
        QCOMPARE(s.value(QStringLiteral("images")).toObject().value(QStringLiteral("kept")).toInt(), 120);
    }

    void pluginsAreFoundFromTheBuildTree()
    {
        const Run r = realsyn({QStringLiteral("plugins"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QStringList loaded;
        for (const QJsonValue &v : QJsonDocument::fromJson(r.out).array())
            if (v.toObject().value(QStringLiteral("loaded")).toBool())
                loaded << v.toObject().value(QStringLiteral("name")).toString();
        for (const char *name : {"expert_opencv", "expert_tesseract", "generator_openai_http"})
            QVERIFY2(loaded.contains(QLatin1String(name)), r.out.constData());
    }

    // Extract's image work lives in four modules: realsyn_imagereader.so
    // (reading and the fast decoders, opened as the workers start),
    // realsyn_imagehash.so (the perceptual hash, opened by the main thread
    // once they decode), realsyn_imageprobe.so (whatever the reader
    // declines) and realsyn_imagedecoder.so (OpenCV's codecs, for it). A broken install of any
    // stops extract with the paths it tried, records nothing, and the next
    // run (module found from the build tree) probes every image.
    void missingImageModuleStopsExtract_data()
    {
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("what");
        QTest::newRow("reader") << "REALSYN_IMAGE_READER_MODULE" << "realsyn_imagereader.so" << "image reader module";
        QTest::newRow("hash") << "REALSYN_IMAGE_HASH_MODULE" << "realsyn_imagehash.so" << "image hash module";
        QTest::newRow("probe") << "REALSYN_IMAGE_PROBE_MODULE" << "realsyn_imageprobe.so" << "image probe module";
        QTest::newRow("codecs") << "REALSYN_IMAGE_DECODER" << "realsyn_imagedecoder.so" << "image decoder module";
    }
    void missingImageModuleStopsExtract()
    {
        QFETCH(QString, variable);
        QFETCH(QString, file);
        QFETCH(QString, what);
        const QByteArray var = variable.toUtf8();
        const QString project = m_tmp.filePath(QStringLiteral("nomodule-") + QString::fromLatin1(QTest::currentDataTag()));
        QCOMPARE(realsyn({QStringLiteral("init"), project}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus}).code, 0);
        const QString absent = m_tmp.filePath(QStringLiteral("absent/") + file);
        qputenv(var.constData(), absent.toUtf8());
        const Run broken = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        qunsetenv(var.constData());
        QVERIFY(broken.code > 0); // an error exit, not a crash
        QVERIFY2(broken.err.contains(what.toUtf8()) && broken.err.contains(absent.toUtf8()), broken.err.constData());
        QCOMPARE(stats(project).value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(),
                 QStringLiteral("not-run"));

        // A module file that is there but does not load is found out when
        // an image first needs it (any image for the reader and hash modules,
        // garbage.png for the probe and codecs modules): the stage stops
        // before that batch is written, instead of recording it as
        // undecodable.
        const QString bogus = m_tmp.filePath(QStringLiteral("bogus/") + file);
        QDir().mkpath(QFileInfo(bogus).path());
        writeFile(bogus, "not a shared object");
        qputenv(var.constData(), bogus.toUtf8());
        const Run unloadable = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        qunsetenv(var.constData());
        QVERIFY(unloadable.code > 0);
        QVERIFY2(unloadable.err.contains(what.toUtf8()) && unloadable.err.contains(bogus.toUtf8()), unloadable.err.constData());
        QCOMPARE(stats(project).value(QStringLiteral("images")).toObject().value(QStringLiteral("rejected")).toObject()
                     .value(QStringLiteral("decode_failed")).toInt(), 0);

        const Run fixed = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        QVERIFY2(fixed.code == 0, fixed.err.constData());
        // Only garbage.png fails to decode, as in endToEnd.
        QCOMPARE(stats(project).value(QStringLiteral("images")).toObject().value(QStringLiteral("rejected")).toObject()
                     .value(QStringLiteral("decode_failed")).toInt(), 1);
    }

    // Only extract's probes need realsyn_imageprobe.so: the later stages'
    // full decodes are linked in, so a missing module cannot turn into a
    // warning per image there.
    void laterStagesNeedNoImageProbeModule()
    {
        const QString project = m_tmp.filePath(QStringLiteral("noprobe-later"));
        QCOMPARE(realsyn({QStringLiteral("init"), project}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus}).code, 0);
        const Run extract = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        QVERIFY2(extract.code == 0, extract.err.constData());
        const int extractIssues = stats(project).value(QStringLiteral("issues")).toObject().value(QStringLiteral("extract")).toInt();
        qputenv("REALSYN_IMAGE_PROBE_MODULE", m_tmp.filePath(QStringLiteral("absent/realsyn_imageprobe.so")).toUtf8());
        const Run ground = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("ground")});
        qunsetenv("REALSYN_IMAGE_PROBE_MODULE");
        QVERIFY2(ground.code == 0, ground.err.constData());
        const QJsonObject s = stats(project);
        QCOMPARE(s.value(QStringLiteral("stages")).toObject().value(QStringLiteral("ground")).toString(), QStringLiteral("done"));
        QCOMPARE(s.value(QStringLiteral("issues")).toObject().value(QStringLiteral("ground")).toInt(), 0);
        QCOMPARE(s.value(QStringLiteral("issues")).toObject().value(QStringLiteral("extract")).toInt(), extractIssues);
    }

    // Stage 1 (`init`, `ingest`, `run --until extract`) runs in the
    // executable itself, which links none of the heavy libraries (their
    // loading was most of each start); every other command, and `run` past
    // extract, runs in realsyn_commands.so. Without the module stage 1 still
    // works, and the others fail with the paths tried.
    void stageOneNeedsNoCommandModule()
    {
        const QString absent = m_tmp.filePath(QStringLiteral("absent/realsyn_commands.so"));
        qputenv("REALSYN_COMMANDS_MODULE", absent.toUtf8());
        const QString project = m_tmp.filePath(QStringLiteral("light"));
        const Run init = realsyn({QStringLiteral("init"), project});
        const Run ingest = realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus});
        const Run extract = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract"),
                                     QStringLiteral("--set"), QStringLiteral("extract.min_words=4")});
        const Run again = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("extract")});
        const Run other = realsyn({QStringLiteral("stats"), project});
        const Run beyond = realsyn({QStringLiteral("run"), project, QStringLiteral("--until"), QStringLiteral("ground")});
        const Run shard = realsyn({QStringLiteral("run"), project, QStringLiteral("--shard"), QStringLiteral("0/2"),
                                   QStringLiteral("--until"), QStringLiteral("extract")});
        qunsetenv("REALSYN_COMMANDS_MODULE");
        QVERIFY2(init.code == 0, init.err.constData());
        QVERIFY2(ingest.code == 0 && ingest.out.contains("ingested"), ingest.err.constData());
        QVERIFY2(extract.code == 0 && extract.out.contains("ran: extract"), extract.err.constData());
        QVERIFY2(again.code == 0 && again.out.contains("nothing to do"), again.err.constData());
        for (const Run *r : {&other, &beyond, &shard}) {
            QCOMPARE(r->code, 1);
            QVERIFY2(r->err.contains("command module") && r->err.contains(absent.toUtf8()), r->err.constData());
        }
        // The same stage as the module's: done for the settings it ran with.
        const QJsonObject after = stats(project);
        QVERIFY(after.value(QStringLiteral("documents")).toInt() > 0);
        QCOMPARE(after.value(QStringLiteral("stages")).toObject().value(QStringLiteral("extract")).toString(), QStringLiteral("done"));
        const Run recipe = realsyn({QStringLiteral("recipe"), project, QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(recipe.out).object().value(QStringLiteral("extract.min_words")).toObject()
                     .value(QStringLiteral("value")).toString(),
                 QStringLiteral("4"));

        // What keeps them light is the link: no heavy library is even named.
        QProcess readelf;
        readelf.start(QStringLiteral("readelf"), {QStringLiteral("-d"), m_cli});
        QVERIFY(readelf.waitForFinished(30000));
        const QByteArray needed = readelf.readAllStandardOutput();
        QVERIFY2(needed.contains("libQt6Core"), needed.constData());
        for (const char *heavy : {"opencv", "blas", "lapack", "faiss", "thrift", "Qt6Gui", "torch"})
            QVERIFY2(!needed.contains(heavy), qPrintable(QStringLiteral("%1 in %2").arg(QLatin1String(heavy), QString::fromUtf8(needed))));
    }

    void subsetsAreReproducible()
    {
        // Two projects ingesting the same 10% sample with the same seed agree.
        QDir().mkpath(m_tmp.filePath(QStringLiteral("many")));
        for (int i = 0; i < 60; ++i)
            writeFile(m_tmp.filePath(QStringLiteral("many/page%1.html").arg(i)),
                      QStringLiteral("<p>Page number %1 talks about circles and squares.</p>").arg(i).toUtf8());
        int counts[2] = {0, 0};
        for (int k = 0; k < 2; ++k) {
            const QString project = m_tmp.filePath(QStringLiteral("sample%1").arg(k));
            QCOMPARE(realsyn({QStringLiteral("init"), project}).code, 0);
            const Run r = realsyn({QStringLiteral("ingest"), project, QStringLiteral("--format"), QStringLiteral("html"),
                                   QStringLiteral("--sample"), QStringLiteral("0.25"), QStringLiteral("--seed"), QStringLiteral("7"),
                                   m_tmp.filePath(QStringLiteral("many"))});
            QVERIFY2(r.code == 0, r.err.constData());
            counts[k] = stats(project).value(QStringLiteral("documents")).toInt();
        }
        QCOMPARE(counts[0], counts[1]);
        QVERIFY(counts[0] > 5 && counts[0] < 30);

        const QString limited = m_tmp.filePath(QStringLiteral("limited"));
        QCOMPARE(realsyn({QStringLiteral("init"), limited}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), limited, QStringLiteral("--format"), QStringLiteral("html"), QStringLiteral("--limit"),
                          QStringLiteral("7"), m_tmp.filePath(QStringLiteral("many"))})
                     .code,
                 0);
        QCOMPARE(stats(limited).value(QStringLiteral("documents")).toInt(), 7);
    }
};

QTEST_MAIN(TestCli)
#include "test_cli.moc"
