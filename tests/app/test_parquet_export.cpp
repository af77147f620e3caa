// Parquet exports read back by an independent reader: hyparquet (pure
// JavaScript, npm) under node, installed into <build>/parquet-readers by
// packaging/dev.sh (npm ci from tests/parquet/package-lock.json). Every
// column of every row is compared with what `realsyn list --selected --json`
// and `realsyn show --json` say, for each compression, with and without
// images, and for synthetic tables (nulls, non-ASCII and empty strings, one
// row, 100k rows over several row groups and pages). Without the reader the
// test skips, except under CI=true where it fails.

#include "core/export/parquetwriter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/parquetdump.h"
#include "tests/support/processrun.h"

#include <cmath>

class TestParquetExport : public QObject {
    Q_OBJECT

    using Run = rs::test::ProcessRun;
    QString m_cli, m_node, m_whyNoReader;
    QTemporaryDir m_tmp;
    QString m_project, m_corpus;
    QMap<qint64, QJsonObject> m_show; // show --json of every selected image
    qint64 m_editedId = -1;

    Run realsyn(const QStringList &args) { return rs::test::runProcess(m_cli, args); }

    bool haveReader()
    {
        if (!m_node.isEmpty())
            return true;
        const QString why = m_whyNoReader;
        if (qEnvironmentVariable("CI") == QLatin1String("true"))
            qFatal("%s", qPrintable(why));
        QTest::qSkip(qPrintable(why), __FILE__, __LINE__);
        return false;
    }

    using Dump = rs::test::ParquetDump;
    Dump dump(const QStringList &files)
    {
        Dump d = rs::test::dumpParquet(m_node, files);
        if (!d.ok)
            qWarning("%s", d.error.constData());
        return d;
    }

    static QStringList parquetFiles(const QString &dir)
    {
        QStringList files;
        QDirIterator it(dir, {QStringLiteral("*.parquet")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            files << it.next();
        files.sort();
        return files;
    }

    static QByteArray fileSha(const QString &path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cli = rs::test::realsynPath();
        QVERIFY(QFileInfo(m_cli).isExecutable());
        m_node = rs::test::parquetReaderNode(&m_whyNoReader);

        // A small corpus of four pages in German, French and English, so
        // texts carry non-ASCII characters, run through every stage.
        m_corpus = m_tmp.filePath(QStringLiteral("corpus"));
        QDir().mkpath(m_corpus);
        const QStringList topics{QStringLiteral("Der Größenregler ändert die Breite des Pinsels im Werkzeugkasten"),
                                 QStringLiteral("The layer dialog lists every layer of the image with its visibility"),
                                 QStringLiteral("Le menu des filtres applique un flou gaussien à la sélection active"),
                                 QStringLiteral("Die Farbpalette zeigt Vordergrund und Hintergrund nebeneinander"),
                                 QStringLiteral("The crop tool removes the borders around the photograph of the cathedral"),
                                 QStringLiteral("Ein Pfad wird mit dem Stift gezeichnet und später als Auswahl genutzt")};
        QRandomGenerator rng(7);
        for (int page = 0; page < 4; ++page) {
            QString html = QStringLiteral("<html><body>\n");
            for (int i = 0; i < 6; ++i) {
                const int k = page * 6 + i;
                QImage img(160 + 7 * k, 140 + 5 * k, QImage::Format_RGB32);
                for (int y = 0; y < img.height(); ++y)
                    for (int x = 0; x < img.width(); ++x)
                        img.setPixel(x, y, qRgb((40 * i + x * 3) % 256, (25 * page + y * 2) % 256, int(rng.bounded(256))));
                QVERIFY(img.save(m_corpus + QStringLiteral("/img%1.png").arg(k)));
                html += QStringLiteral("<p>%1 auf Seite %2 — Beispiel %3, Größe %3 cm.</p>"
                                       "<p>This paragraph explains example number %3 with the zoom tool and rulers in detail.</p>"
                                       "<figure><img src=\"img%3.png\" alt=\"%1 (%3)\"/><figcaption>Figure %3: %1.</figcaption></figure>\n")
                            .arg(topics[i])
                            .arg(page)
                            .arg(k);
            }
            QFile f(m_corpus + QStringLiteral("/page%1.html").arg(page));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write((html + QStringLiteral("</body></html>")).toUtf8());
        }
        m_project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(realsyn({QStringLiteral("init"), m_project}).code, 0);
        QCOMPARE(realsyn({QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus}).code, 0);
        const Run run = realsyn({QStringLiteral("run"), m_project, QStringLiteral("--set"), QStringLiteral("extract.near_duplicates=false")});
        QVERIFY2(run.code == 0, run.err.constData());
        // A curator's text with characters beyond the BMP and quotes.
        m_editedId = 2;
        QCOMPARE(realsyn({QStringLiteral("edit"), m_project, QString::number(m_editedId), QStringLiteral("--syn-text"),
                          QStringLiteral("Ein „Pinsel“ 🖌 für Größe — naïve café \"test\"")})
                     .code,
                 0);
        QCOMPARE(realsyn({QStringLiteral("decide"), m_project, QString::number(m_editedId), QStringLiteral("accept")}).code, 0);

        const QJsonArray selected =
            QJsonDocument::fromJson(realsyn({QStringLiteral("list"), m_project, QStringLiteral("--selected"), QStringLiteral("--json")}).out).array();
        QVERIFY(selected.size() >= 10);
        for (const QJsonValue &v : selected) {
            const qint64 id = v.toObject().value(QStringLiteral("id")).toInteger();
            const Run show = realsyn({QStringLiteral("show"), m_project, QString::number(id), QStringLiteral("--json")});
            QCOMPARE(show.code, 0);
            m_show.insert(id, QJsonDocument::fromJson(show.out).object());
        }
        QVERIFY(m_show.contains(m_editedId));
    }

    void projectExportReadsBack_data()
    {
        QTest::addColumn<QString>("compression");
        QTest::addColumn<bool>("images");
        QTest::addColumn<bool>("split");
        QTest::newRow("snappy") << QStringLiteral("snappy") << true << false;
        QTest::newRow("zstd, no images") << QStringLiteral("zstd") << false << false;
        QTest::newRow("none, split") << QStringLiteral("none") << true << true;
    }
    void projectExportReadsBack()
    {
        QFETCH(QString, compression);
        QFETCH(bool, images);
        QFETCH(bool, split);
        if (!haveReader())
            return;
        const QString out = m_tmp.filePath(QStringLiteral("out-") + compression);
        QStringList args{QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("parquet"), QStringLiteral("--out"), out,
                         QStringLiteral("--compression"), compression};
        if (!images)
            args << QStringLiteral("--no-images");
        if (split)
            args << QStringLiteral("--split") << QStringLiteral("val=0.3");
        const Run r = realsyn(args);
        QVERIFY2(r.code == 0, r.err.constData());

        const QStringList files = parquetFiles(out);
        QCOMPARE(files.size(), split ? 2 : 1);
        const Dump d = dump(files);
        QCOMPARE(d.files.size(), files.size());
        QCOMPARE(qsizetype(d.rows.size()), qsizetype(m_show.size()));

        // The manifest lists each file with its row count.
        QFile mf(out + QStringLiteral("/manifest.json"));
        QVERIFY(mf.open(QIODevice::ReadOnly));
        const QJsonObject manifest = QJsonDocument::fromJson(mf.readAll()).object();
        const QJsonArray listed = manifest.value(QStringLiteral("parquet")).toObject().value(QStringLiteral("files")).toArray();
        QCOMPARE(listed.size(), files.size());
        for (int i = 0; i < files.size(); ++i) {
            const QJsonObject meta = d.files[i];
            QCOMPARE(listed[i].toObject().value(QStringLiteral("file")).toString(), QDir(out).relativeFilePath(files[i]));
            QCOMPARE(listed[i].toObject().value(QStringLiteral("rows")).toInteger(), meta.value(QStringLiteral("num_rows")).toInteger());
            QCOMPARE(meta.value(QStringLiteral("created_by")).toString(), QString::fromLatin1(rs::kParquetCreatedBy));
            for (const QJsonValue &c : meta.value(QStringLiteral("codecs")).toArray())
                QCOMPARE(c.toString(), compression == QLatin1String("none") ? QStringLiteral("UNCOMPRESSED") : compression.toUpper());
            // Strings carry the UTF-8 STRING logical type; texts are nullable.
            for (const QJsonValue &e : meta.value(QStringLiteral("schema")).toArray()) {
                const QJsonObject o = e.toObject();
                if (o.value(QStringLiteral("type")).toString() == QLatin1String("BYTE_ARRAY"))
                    QCOMPARE(o.value(QStringLiteral("logical_type")).toString(), QStringLiteral("STRING"));
                if (o.value(QStringLiteral("name")).toString().startsWith(QLatin1String("text")))
                    QCOMPARE(o.value(QStringLiteral("repetition_type")).toString(), QStringLiteral("OPTIONAL"));
            }
        }

        QSet<qint64> seen;
        for (const QJsonObject &row : d.rows) {
            const qint64 id = row.value(QStringLiteral("image_id")).toInteger();
            QVERIFY2(m_show.contains(id), qPrintable(QStringLiteral("image %1 is not selected").arg(id)));
            QVERIFY(!seen.contains(id));
            seen.insert(id);
            const QJsonObject show = m_show.value(id);
            const QJsonArray retrieved = show.value(QStringLiteral("retrieved")).toArray();
            for (int t = 0; t < 3; ++t) {
                const QString col = QStringLiteral("text%1").arg(t + 1);
                if (t < retrieved.size()) {
                    QCOMPARE(row.value(col).toString(), retrieved[t].toObject().value(QStringLiteral("text")).toString());
                    QCOMPARE(row.value(col + QStringLiteral("_score")).toDouble(), retrieved[t].toObject().value(QStringLiteral("score")).toDouble());
                } else {
                    QVERIFY(row.value(col).isNull());
                    QVERIFY(row.value(col + QStringLiteral("_score")).isNull());
                }
            }
            QCOMPARE(row.value(QStringLiteral("syn_text")), show.value(QStringLiteral("synthetic_text")));
            QCOMPARE(row.value(QStringLiteral("caption")), show.value(QStringLiteral("caption")));
            QCOMPARE(row.value(QStringLiteral("cluster")), show.value(QStringLiteral("cluster")));
            // No export.max_side: the JPEG keeps the source's size.
            QCOMPARE(row.value(QStringLiteral("width")).toInt(), show.value(QStringLiteral("width")).toInt());
            QCOMPARE(row.value(QStringLiteral("height")).toInt(), show.value(QStringLiteral("height")).toInt());
            const QString path = show.value(QStringLiteral("path")).toString();
            QCOMPARE(row.value(QStringLiteral("raw_image_url")).toString(), QDir(m_corpus).relativeFilePath(path));
            const QString splitName = row.value(QStringLiteral("split")).toString();
            QVERIFY(split ? (splitName == QLatin1String("train") || splitName == QLatin1String("val")) : splitName == QLatin1String("train"));
            if (images) {
                const QString image = out + QLatin1Char('/') + row.value(QStringLiteral("image_path")).toString();
                QVERIFY2(QFileInfo::exists(image), qPrintable(image));
                QVERIFY(!split || row.value(QStringLiteral("image_path")).toString().startsWith(splitName + QLatin1Char('/')));
                QCOMPARE(row.value(QStringLiteral("sha256")).toString().toLatin1(), fileSha(image));
                QCOMPARE(QImage(image).width(), row.value(QStringLiteral("width")).toInt());
            } else {
                QVERIFY(row.value(QStringLiteral("image_path")).isNull());
                QCOMPARE(row.value(QStringLiteral("sha256")).toString(), show.value(QStringLiteral("sha256")).toString());
            }
            if (id == m_editedId)
                QCOMPARE(row.value(QStringLiteral("syn_text")).toString(), QStringLiteral("Ein „Pinsel“ 🖌 für Größe — naïve café \"test\""));
        }
        QCOMPARE(qsizetype(seen.size()), qsizetype(m_show.size()));
        QCOMPARE(QDir(out).exists(QStringLiteral("images")) || QDir(out).exists(QStringLiteral("train/images")), images);
    }

    void exportIsDeterministic()
    {
        QByteArray first;
        for (int i = 0; i < 2; ++i) {
            const QString out = m_tmp.filePath(QStringLiteral("det%1").arg(i));
            const Run r = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("parquet"), QStringLiteral("--out"), out});
            QVERIFY2(r.code == 0, r.err.constData());
            const QByteArray sha = fileSha(out + QStringLiteral("/part-00000.parquet")) + fileSha(out + QStringLiteral("/manifest.json"));
            QVERIFY(!sha.isEmpty());
            if (i == 0)
                first = sha;
            else
                QCOMPARE(sha, first);
        }
    }

    void badOptionsAreUsageErrors()
    {
        const QString out = m_tmp.filePath(QStringLiteral("bad"));
        QCOMPARE(realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("parquet"), QStringLiteral("--out"), out,
                          QStringLiteral("--compression"), QStringLiteral("lzo")})
                     .code,
                 2);
        const Run wds = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("wds"), QStringLiteral("--out"), out,
                                 QStringLiteral("--no-images")});
        QCOMPARE(wds.code, 1);
        QVERIFY(wds.err.contains("--no-images"));
        QVERIFY(!QFileInfo::exists(out));
    }

    // Thrift lives in realsyn_parquet.so, opened only to write or read a
    // parquet file: no other command maps it, and a broken install stops a
    // parquet export before it copies anything, naming the files it tried.
    void parquetModuleIsOpenedOnlyForParquet()
    {
        const QString out = m_tmp.filePath(QStringLiteral("nomodule"));
        const QString absent = m_tmp.filePath(QStringLiteral("absent/realsyn_parquet.so"));
        qputenv("REALSYN_PARQUET_MODULE", absent.toUtf8());
        const Run broken = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("parquet"), QStringLiteral("--out"), out});
        const Run csv = realsyn({QStringLiteral("export"), m_project, QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--out"), out + QStringLiteral("-csv")});
        qunsetenv("REALSYN_PARQUET_MODULE");
        QCOMPARE(broken.code, 1);
        QVERIFY2(broken.err.contains("parquet module") && broken.err.contains(absent.toUtf8()), broken.err.constData());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY2(csv.code == 0, csv.err.constData());

        // Which libraries a command maps: stats (any command but export)
        // maps neither Thrift nor OpenSSL's libssl.
        const QString maps = m_tmp.filePath(QStringLiteral("maps.txt"));
        const Run stats = rs::test::runProcess(QStringLiteral("/bin/sh"),
                                               {QStringLiteral("-c"), QStringLiteral("LD_DEBUG=files \"$0\" stats \"$1\" 2> \"$2\" > /dev/null"), m_cli, m_project, maps});
        QCOMPARE(stats.code, 0);
        QFile f(maps);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray loaded = f.readAll();
        QVERIFY2(loaded.contains("realsyn_commands.so"), "LD_DEBUG=files listed no command module");
        QVERIFY(!loaded.contains("libthrift"));
        QVERIFY(!loaded.contains("libssl.so"));
    }

    // Synthetic tables through the writer, read back by hyparquet.
    void syntheticTablesReadBack_data()
    {
        QTest::addColumn<QString>("compression");
        QTest::addColumn<int>("rows");
        QTest::addColumn<qint64>("rowGroupRows");
        for (const QString &c : rs::parquetCompressions()) {
            QTest::addRow("%s, one row", qPrintable(c)) << c << 1 << qint64(50000);
            QTest::addRow("%s, 1000 rows, groups of 300", qPrintable(c)) << c << 1000 << qint64(300);
            QTest::addRow("%s, 100k rows", qPrintable(c)) << c << 100000 << qint64(30000);
        }
    }
    void syntheticTablesReadBack()
    {
        QFETCH(QString, compression);
        QFETCH(int, rows);
        QFETCH(qint64, rowGroupRows);
        if (!haveReader())
            return;
        using T = rs::ParquetColumn::Type;
        const QVector<rs::ParquetColumn> schema{{QStringLiteral("id"), T::Int64, false},   {QStringLiteral("text"), T::String, true},
                                                {QStringLiteral("label"), T::String, false}, {QStringLiteral("n"), T::Int32, false},
                                                {QStringLiteral("big"), T::Int64, true},     {QStringLiteral("score"), T::Double, true}};
        const QStringList words{QStringLiteral("Größe"), QStringLiteral("café"), QStringLiteral("日本語"), QStringLiteral("🖼"), QStringLiteral("plain"),
                                QStringLiteral("tab\there"), QStringLiteral("line\nbreak"), QStringLiteral("\"quoted\"")};
        QRandomGenerator rng(42);
        const QString path = m_tmp.filePath(QStringLiteral("synthetic-%1-%2.parquet").arg(compression).arg(rows));
        auto codec = rs::parseParquetCompression(compression);
        QVERIFY(codec);
        rs::ParquetWriter writer(schema, *codec, rowGroupRows);
        QVERIFY(writer.open(path));
        QVector<QJsonObject> expected;
        expected.reserve(rows);
        for (int i = 0; i < rows; ++i) {
            // Nulls in runs and scattered (both hybrid encodings), empty strings, long texts.
            const bool textNull = (i / 20) % 3 == 1 || rng.bounded(7) == 0;
            QString text;
            if (!textNull) {
                const int n = i % 11 == 0 ? 0 : int(rng.bounded(1, 30));
                QStringList parts;
                for (int w = 0; w < n; ++w)
                    parts << words[rng.bounded(words.size())];
                text = parts.join(QLatin1Char(' '));
            }
            const QString label = i % 5 == 0 ? QString() : QStringLiteral("label-%1").arg(i % 17);
            const qint32 n = qint32(rng.generate()) ;
            const bool bigNull = i % 2 == 1;
            const qint64 big = (qint64(1) << 53) - 1 - i; // exact in JavaScript numbers
            const bool scoreNull = i % 13 == 0;
            const double score = rng.generateDouble() * std::pow(10.0, int(rng.bounded(-5, 6))) * (i % 2 ? -1 : 1);
            QVERIFY(writer.addRow({qint64(i), textNull ? rs::ParquetValue() : rs::ParquetValue(text), label, n,
                                   bigNull ? rs::ParquetValue() : rs::ParquetValue(big), scoreNull ? rs::ParquetValue() : rs::ParquetValue(score)}));
            expected.push_back(QJsonObject{{QStringLiteral("id"), qint64(i)},
                                           {QStringLiteral("text"), textNull ? QJsonValue(QJsonValue::Null) : QJsonValue(text)},
                                           {QStringLiteral("label"), label},
                                           {QStringLiteral("n"), n},
                                           {QStringLiteral("big"), bigNull ? QJsonValue(QJsonValue::Null) : QJsonValue(big)},
                                           {QStringLiteral("score"), scoreNull ? QJsonValue(QJsonValue::Null) : QJsonValue(score)}});
        }
        QVERIFY(writer.close());
        QCOMPARE(writer.rows(), qint64(rows));
        const Dump d = dump({path});
        QCOMPARE(d.files.size(), 1);
        QCOMPARE(d.files[0].value(QStringLiteral("num_rows")).toInteger(), qint64(rows));
        QCOMPARE(d.files[0].value(QStringLiteral("row_groups")).toArray().size(), int((rows + rowGroupRows - 1) / rowGroupRows));
        QCOMPARE(qsizetype(d.rows.size()), qsizetype(rows));
        for (int i = 0; i < rows; ++i)
            if (d.rows[i] != expected[i])
                QFAIL(qPrintable(QStringLiteral("row %1 differs: read %2, wrote %3")
                                     .arg(i)
                                     .arg(QString::fromUtf8(QJsonDocument(d.rows[i]).toJson(QJsonDocument::Compact)),
                                          QString::fromUtf8(QJsonDocument(expected[i]).toJson(QJsonDocument::Compact)))));
    }
};

QTEST_GUILESS_MAIN(TestParquetExport)
#include "test_parquet_export.moc"
