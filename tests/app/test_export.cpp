// Exports read back with independent readers (GNU tar, Python's tarfile,
// json and csv) and compared with the store; atomicity, determinism and a
// disk that fills up mid-export.

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
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

class TestExport : public QObject {
    Q_OBJECT

    using Run = rs::test::ProcessRun;
    QString m_cli;
    QTemporaryDir m_tmp;
    QString m_project;

    Run run(const QString &program, const QStringList &args) { return rs::test::runProcess(program, args); }
    Run realsyn(const QStringList &args) { return run(m_cli, args); }
    Run python(const QString &script, const QStringList &args = {})
    {
        return run(QStringLiteral("/usr/bin/python3"), QStringList{QStringLiteral("-c"), script} + args);
    }

    static QMap<QString, QByteArray> hashes(const QString &dir)
    {
        QMap<QString, QByteArray> out;
        QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            out.insert(QDir(dir).relativeFilePath(path), QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256));
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cli = rs::test::realsynPath();
        QVERIFY(QFileInfo(m_cli).isExecutable());
        const QString corpus = m_tmp.filePath(QStringLiteral("corpus"));
        QDir().mkpath(corpus);
        QString html = QStringLiteral("<html><body>\n");
        const QColor colours[] = {Qt::red, Qt::green, Qt::blue, Qt::cyan, Qt::magenta, Qt::darkYellow};
        for (int i = 0; i < 6; ++i) {
            QImage img(240 + 20 * i, 200, QImage::Format_ARGB32);
            img.fill(Qt::transparent); // alpha must come out white in the JPEG
            QPainter p(&img);
            p.setBrush(colours[i]);
            p.drawRect(20 + i * 7, 30, 100, 80 + i * 10);
            p.end();
            QVERIFY(img.save(corpus + QStringLiteral("/img%1.png").arg(i)));
            html += QStringLiteral("<p>Paragraph %1 describes the coloured rectangle number %1 in detail.</p>"
                                   "<img src=\"img%1.png\" alt=\"A coloured rectangle, number %1\"/>\n").arg(i);
        }
        QImage tiny(30, 30, QImage::Format_RGB32);
        tiny.fill(Qt::black);
        QVERIFY(tiny.save(corpus + QStringLiteral("/tiny.png")));
        html += QStringLiteral("<img src=\"tiny.png\" alt=\"a tiny black square\"/></body></html>");
        QFile f(corpus + QStringLiteral("/page.html"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(html.toUtf8());
        f.close();

        m_project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(realsyn({QStringLiteral("init"), m_project}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), corpus}).code, 0);
        // Plain rectangles look alike to a perceptual hash; this test is about exports.
        QCOMPARE(realsyn({QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("extract"), QStringLiteral("--set"),
                          QStringLiteral("extract.near_duplicates=false")})
                     .code,
                 0);

        // Curator decisions: accept the filtered tiny image, reject one kept image, edit a text.
        const QJsonArray all = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--json")}).out).array();
        QCOMPARE(all.size(), 7);
        qint64 tinyId = -1;
        for (const QJsonValue &v : all)
            if (v.toObject().value(QStringLiteral("path")).toString().endsWith(QLatin1String("tiny.png")))
                tinyId = v.toObject().value(QStringLiteral("id")).toInteger();
        QVERIFY(tinyId > 0);
        QCOMPARE(realsyn({QStringLiteral("decide"), m_project, QString::number(tinyId), QStringLiteral("accept")}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("decide"), m_project, QStringLiteral("1"), QStringLiteral("reject")}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("edit"), m_project, QStringLiteral("2"), QStringLiteral("--syn-text"),
                          QStringLiteral("A red rectangle, \"quoted\", on white.")})
                     .code,
                 0);
        QVERIFY(realsyn({QStringLiteral("decide"), m_project, QStringLiteral("999"), QStringLiteral("accept")}).code != 0);
        const QJsonArray selected = QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--selected"), QStringLiteral("--json")}).out).array();
        QCOMPARE(selected.size(), 6); // 6 kept - 1 rejected + 1 accepted
    }

    void webDatasetReadsBack()
    {
        const QString out = m_tmp.filePath(QStringLiteral("wds"));
        Run r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"), QStringLiteral("--out"), out,
                         QStringLiteral("--shard-size"), QStringLiteral("4")});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(QFile::exists(out + QStringLiteral("/00000.tar")));
        QVERIFY(QFile::exists(out + QStringLiteral("/00001.tar")));
        QVERIFY(QFile::exists(out + QStringLiteral("/manifest.json")));

        const Run tar = run(QStringLiteral("tar"), {QStringLiteral("-tf"), out + QStringLiteral("/00001.tar")});
        QCOMPARE(tar.code, 0);
        QCOMPARE(QString::fromUtf8(tar.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts),
                 (QStringList{QStringLiteral("000010000.jpg"), QStringLiteral("000010000.txt"), QStringLiteral("000010000.json"),
                              QStringLiteral("000010001.jpg"), QStringLiteral("000010001.txt"), QStringLiteral("000010001.json")}));

        const Run py = python(QStringLiteral(
            "import sys, tarfile, json, io\n"
            "rows = []\n"
            "for shard in ('00000.tar', '00001.tar'):\n"
            "    with tarfile.open(sys.argv[1] + '/' + shard) as t:\n"
            "        for m in t.getmembers():\n"
            "            assert m.isfile() and m.mtime == 0 and len(m.name.split('.')[0]) == 9, m.name\n"
            "            if m.name.endswith('.json'):\n"
            "                rows.append(json.load(t.extractfile(m)))\n"
            "            if m.name.endswith('.jpg'):\n"
            "                assert t.extractfile(m).read(3) == b'\\xff\\xd8\\xff'\n"
            "for r in rows:\n"
            "    for k in ('text2', 'text3', 'syn_text', 'key', 'width', 'height', 'original_width', 'original_height', 'sha256'):\n"
            "        assert k in r, k\n"
            "print(len(rows), sum(1 for r in rows if r['realsyn'].get('filter_rejected') == 'too_small'),\n"
            "      sum(1 for r in rows if r['syn_text'] == 'A red rectangle, \"quoted\", on white.'))\n"),
            {out});
        QVERIFY2(py.code == 0, py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("6 1 1"));
    }

    void exportsAreDeterministic()
    {
        const QString a = m_tmp.filePath(QStringLiteral("det-a")), b = m_tmp.filePath(QStringLiteral("det-b"));
        for (const QString &out : {a, b})
            QCOMPARE(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"), QStringLiteral("--out"), out}).code, 0);
        const auto ha = hashes(a), hb = hashes(b);
        QVERIFY(!ha.isEmpty());
        QCOMPARE(ha, hb);
        QFile manifest(a + QStringLiteral("/manifest.json"));
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        const QByteArray text = manifest.readAll();
        QVERIFY(!text.contains(m_tmp.path().toUtf8())); // no absolute paths
        const QJsonObject m = QJsonDocument::fromJson(text).object();
        QCOMPARE(m.value(QStringLiteral("counts")).toObject().value(QStringLiteral("samples")).toInt(), 6);
        QVERIFY(m.value(QStringLiteral("files")).toObject().contains(QStringLiteral("00000.tar")));
    }

    void csvJsonlLlava()
    {
        const QString csv = m_tmp.filePath(QStringLiteral("csv"));
        QCOMPARE(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--out"), csv,
                          QStringLiteral("--caption"), QStringLiteral("syn_text"), QStringLiteral("--csv-separator"), QStringLiteral("comma")})
                     .code,
                 0);
        Run py = python(QStringLiteral("import csv, sys, os\n"
                                       "rows = list(csv.DictReader(open(sys.argv[1] + '/samples.csv', newline='')))\n"
                                       "assert all(os.path.exists(sys.argv[1] + '/' + r['filepath']) for r in rows)\n"
                                       "print(len(rows), rows[0]['title'])\n"),
                        {csv});
        QVERIFY2(py.code == 0, py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("1 A red rectangle, \"quoted\", on white."));

        const QString jsonl = m_tmp.filePath(QStringLiteral("jsonl"));
        QCOMPARE(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), jsonl}).code, 0);
        py = python(QStringLiteral("import json, sys, os\n"
                                   "rows = [json.loads(l) for l in open(sys.argv[1] + '/samples.jsonl')]\n"
                                   "assert all(os.path.exists(sys.argv[1] + '/' + r['image']) for r in rows)\n"
                                   "print(len(rows))\n"),
                    {jsonl});
        QVERIFY2(py.code == 0, py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("6"));

        const QString llava = m_tmp.filePath(QStringLiteral("llava"));
        QCOMPARE(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("llava"), QStringLiteral("--out"), llava}).code, 0);
        py = python(QStringLiteral("import json, sys\n"
                                   "d = json.load(open(sys.argv[1] + '/llava.json'))\n"
                                   "c = d[0]['conversations']\n"
                                   "assert c[0]['from'] == 'human' and c[0]['value'].startswith('<image>\\n') and c[1]['from'] == 'gpt'\n"
                                   "print(len(d), c[1]['value'])\n"),
                    {llava});
        QVERIFY2(py.code == 0, py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("1 A red rectangle, \"quoted\", on white."));
    }

    void splitAndForce()
    {
        const QString out = m_tmp.filePath(QStringLiteral("split"));
        QCOMPARE(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), out,
                          QStringLiteral("--split"), QStringLiteral("val=0.5")})
                     .code,
                 0);
        QVERIFY(QFile::exists(out + QStringLiteral("/train/samples.jsonl")));
        QVERIFY(QFile::exists(out + QStringLiteral("/val/samples.jsonl")));
        Run r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), out});
        QVERIFY(r.code != 0);
        QVERIFY(r.err.contains("--force"));
        QVERIFY(QFile::exists(out + QStringLiteral("/val/samples.jsonl"))); // untouched
        r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), out, QStringLiteral("--force")});
        QCOMPARE(r.code, 0);
        QVERIFY(QFile::exists(out + QStringLiteral("/samples.jsonl")));
        QVERIFY(!QFile::exists(out + QStringLiteral("/val")));
    }

    // Issue 11: --force must never delete a project, anything beside it, a
    // file, or a folder that is not a previous export.
    void forceNeverDeletesWhatIsNotAnExport()
    {
        const QString sqlite = m_project + QStringLiteral("/project.sqlite");
        const QString corpusPage = m_tmp.filePath(QStringLiteral("corpus/page.html"));
        auto exportTo = [&](const QString &out, const QString &cwd = QString()) {
            const QStringList args{QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"),
                                   QStringLiteral("--out"), out, QStringLiteral("--force")};
            if (cwd.isEmpty())
                return realsyn(args);
            return run(QStringLiteral("/bin/bash"), QStringList{QStringLiteral("-c"), QStringLiteral("cd \"$0\" && exec \"$@\""), cwd, m_cli} + args);
        };

        // `--out .` run from the folder that holds the project.
        Run r = exportTo(QStringLiteral("."), m_tmp.path());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("contains the project"), r.err.constData());
        QVERIFY(QFile::exists(sqlite));
        QVERIFY(QFile::exists(corpusPage));

        // A folder inside the project, existing or new.
        const QString embeddings = m_project + QStringLiteral("/embeddings");
        QVERIFY(QDir().mkpath(embeddings));
        QFile keep(embeddings + QStringLiteral("/image.f16"));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("vectors");
        keep.close();
        r = exportTo(embeddings);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("inside the project"), r.err.constData());
        QVERIFY(QFile::exists(keep.fileName()));
        QVERIFY(!QFile::exists(embeddings + QStringLiteral("/samples.jsonl")));
        r = exportTo(m_project + QStringLiteral("/new-export"));
        QCOMPARE(r.code, 1);
        QVERIFY(!QFile::exists(m_project + QStringLiteral("/new-export")));
        r = exportTo(m_project);
        QCOMPARE(r.code, 1);
        QVERIFY(QFile::exists(sqlite));

        // A regular file.
        const QString file = m_tmp.filePath(QStringLiteral("notes.txt"));
        QFile notes(file);
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("precious");
        notes.close();
        r = exportTo(file);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("not a folder"), r.err.constData());
        QVERIFY(QFileInfo(file).isFile());
        QCOMPARE(QFileInfo(file).size(), 8);

        // A folder that is not an export, and an export someone added a file to.
        const QString foreign = m_tmp.filePath(QStringLiteral("foreign"));
        QVERIFY(QDir().mkpath(foreign));
        QFile(foreign + QStringLiteral("/thesis.tex")).open(QIODevice::WriteOnly);
        r = exportTo(foreign);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("manifest.json"), r.err.constData());
        QVERIFY(QFile::exists(foreign + QStringLiteral("/thesis.tex")));
        const QString previous = m_tmp.filePath(QStringLiteral("previous"));
        QCOMPARE(exportTo(previous).code, 0);
        QFile(previous + QStringLiteral("/mine.txt")).open(QIODevice::WriteOnly);
        r = exportTo(previous);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("mine.txt"), r.err.constData());
        QVERIFY(QFile::exists(previous + QStringLiteral("/mine.txt")));
        QFile::remove(previous + QStringLiteral("/mine.txt"));
        QCOMPARE(exportTo(previous).code, 0); // a clean previous export is replaced

        // The file system root: refused before anything is written.
        const QStringList before = QDir(QStringLiteral("/")).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        r = exportTo(QStringLiteral("/"));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("root"), r.err.constData());
        QCOMPARE(QDir(QStringLiteral("/")).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), before);

        // Nothing temporary left beside any of them.
        const QStringList leftovers = QDir(m_tmp.path()).entryList({QStringLiteral(".*partial*")}, QDir::AllEntries | QDir::Hidden);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
    }

    void diskFullLeavesNothingBehind()
    {
        const QString out = m_tmp.filePath(QStringLiteral("full"));
        // 8 blocks of 512 bytes: the first image already exceeds the file-size limit.
        const Run r = run(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), QStringLiteral("ulimit -f 8; exec \"$0\" \"$@\""), m_cli,
                                                        QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"),
                                                        QStringLiteral("--out"), out});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("realsyn:"), r.err.constData());
        QVERIFY(!QFile::exists(out));
        const QStringList leftovers = QDir(m_tmp.path()).entryList({QStringLiteral(".full*")}, QDir::AllEntries | QDir::Hidden);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
    }

    // Issue 13: a lasso on the map or a search result exports through the
    // exporter; ids outside the selection are reported, never exported.
    void exportsChosenIds()
    {
        const QString ids = m_tmp.filePath(QStringLiteral("lasso.txt"));
        QFile f(ids);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# 3 images selected on the embedding map\n3, 2\n1   # rejected by the curator\n2\n");
        f.close();
        const QString out = m_tmp.filePath(QStringLiteral("chosen"));
        Run r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), out,
                         QStringLiteral("--ids"), ids});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("exported 2 samples"), r.out.constData());
        QVERIFY2(r.out.contains("1 of the --ids are not in the selection"), r.out.constData());
        Run py = python(QStringLiteral("import json, sys\n"
                                       "rows = [json.loads(l) for l in open(sys.argv[1] + '/samples.jsonl')]\n"
                                       "m = json.load(open(sys.argv[1] + '/manifest.json'))\n"
                                       "print(sorted(r['realsyn']['image_id'] for r in rows), m['options']['ids'])\n"),
                        {out});
        QVERIFY2(py.code == 0, py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("[2, 3] [3, 2, 1]"));

        // --limit counts within the chosen images, not the whole selection.
        const QString limited = m_tmp.filePath(QStringLiteral("chosen-limit"));
        r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), limited,
                     QStringLiteral("--ids"), ids, QStringLiteral("--limit"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("exported 1 samples"), r.out.constData());

        // A malformed list is refused before anything is written, naming the line.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("2\n3\nthree\n");
        f.close();
        const QString bad = m_tmp.filePath(QStringLiteral("chosen-bad"));
        r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--out"), bad,
                     QStringLiteral("--ids"), ids});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("line 3") && r.err.contains("three"), r.err.constData());
        QVERIFY(!QFile::exists(bad));
    }

    void badArguments()
    {
        const QString out = m_tmp.filePath(QStringLiteral("bad"));
        QVERIFY(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("zip"), QStringLiteral("--out"), out}).code != 0);
        QVERIFY(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"), QStringLiteral("--out"), out,
                         QStringLiteral("--shard-size"), QStringLiteral("20000")}).code != 0);
        QVERIFY(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"), QStringLiteral("--out"),
                         m_tmp.filePath(QStringLiteral("no/such/parent/out"))}).code != 0);
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_MAIN(TestExport)
#include "test_export.moc"
