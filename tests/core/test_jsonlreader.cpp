#include "core/ingest/jsonlreader.h"

#include "tests/support/testdata.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

using namespace rs;

namespace {

struct Collected {
    std::vector<SourceItem> items;
    Status status;

    int documents() const
    {
        int n = 0;
        for (const SourceItem &item : items)
            n += item.document ? 1 : 0;
        return n;
    }
    QStringList errors() const
    {
        QStringList out;
        for (const SourceItem &item : items)
            if (!item.document)
                out << item.error;
        return out;
    }
    std::vector<Document> docs() const
    {
        std::vector<Document> out;
        for (const SourceItem &item : items)
            if (item.document)
                out.push_back(*item.document);
        return out;
    }
};

Collected readAll(JsonlReader &reader)
{
    Collected c;
    c.status = reader.read([&](SourceItem &&item) {
        c.items.push_back(std::move(item));
        return true;
    });
    return c;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

// JSON written with single quotes, to keep the fixtures readable (and out of
// moc's way: moc mis-parses raw string literals holding JSON).
QByteArray J(const char *singleQuoted)
{
    return QByteArray(singleQuoted).replace('\'', '"');
}

const QByteArray kGoodMmc4 =
    J("{'url': 'http://a.example/1', 'text_list': ['First  sentence.', 'Second.'], 'image_info': [{'image_name': 'x.jpg', 'matched_text_index': 1}]}");

} // namespace

class TestJsonlReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The real MMC4 sample: counts verified independently with Python's json module.
    void mmc4RealFile()
    {
        RS_REQUIRE_SHARED_FILE(path, "mmc4_sample_107docs.jsonl", "MMC4 reader on real data");
        JsonlReader reader(JsonlReader::Flavor::Mmc4, path, QString());
        const Collected c = readAll(reader);
        QVERIFY(c.status.ok());
        QCOMPARE(c.errors(), QStringList());
        QCOMPARE(c.documents(), 107);

        const auto docs = c.docs();
        int blocks = 0, images = 0, missing = 0;
        QSet<QString> keys;
        for (const Document &d : docs) {
            blocks += d.blocks.size();
            images += d.images.size();
            QVERIFY2(d.warnings.isEmpty(), qPrintable(d.warnings.join(QLatin1Char('|'))));
            keys.insert(d.key);
            for (const ImageRef &img : d.images) {
                missing += img.refusal == QLatin1String("missing_file") ? 1 : 0;
                QVERIFY(img.localPath.isEmpty());
                QVERIFY(img.matchedBlock >= 0 && img.matchedBlock < d.blocks.size());
                QCOMPARE(img.position, 2 * img.matchedBlock + 1);
                QCOMPARE(img.caption, d.blocks.at(img.matchedBlock).text);
            }
        }
        QCOMPARE(blocks, 2072);
        QCOMPARE(images, 417);
        QCOMPARE(missing, 417);
        QCOMPARE(keys.size(), 107);

        const Document &first = docs.front();
        QCOMPARE(c.items.front().location, QStringLiteral("mmc4_sample_107docs.jsonl:1"));
        QCOMPARE(first.url, QStringLiteral("http://shopeasels.ml/meka/fitbit-force-cyber-monday-deals-62.php"));
        QCOMPARE(first.key,
                 QStringLiteral("mmc4:http://shopeasels.ml/meka/fitbit-force-cyber-monday-deals-62.php#6698cf3a3eecffbe"));
        QCOMPARE(first.sourcePath, QFileInfo(path).absoluteFilePath());
        QCOMPARE(first.blocks.size(), 34);
        QCOMPARE(first.blocks.at(3).position, 6);
        QCOMPARE(first.blocks.at(3).kind, BlockKind::Body);
        QCOMPARE(first.images.size(), 4);
        QCOMPARE(first.images.at(0).src, QStringLiteral("95d37b64235d.jpg"));
        QCOMPARE(first.images.at(0).matchedBlock, 18);
        QCOMPARE(first.images.at(0).position, 37);
        QCOMPARE(first.images.at(0).caption,
                 QStringLiteral("Early Black Friday deals on the Apple iPad Pro, HP Envy x360 laptop,."));

        const Document &last = docs.back();
        QCOMPARE(c.items.back().location, QStringLiteral("mmc4_sample_107docs.jsonl:107"));
        QCOMPARE(last.key, QStringLiteral("mmc4:https://www.villamagic.com/the_villa#a7a6d8d940cc0da6"));
        QCOMPARE(last.blocks.size(), 39);
        QCOMPARE(last.images.size(), 6);

        // Reading again gives the same keys: re-ingesting never duplicates.
        const Collected again = readAll(reader);
        QCOMPARE(again.docs().front().key, first.key);
        QCOMPARE(again.docs().back().key, last.key);
    }

    void mmc4RealFileWithImages()
    {
        RS_REQUIRE_SHARED_FILE(path, "mmc4_sample_107docs.jsonl", "MMC4 image resolution on real data");
        QTemporaryDir images;
        QTemporaryDir outside;
        QVERIFY(images.isValid() && outside.isValid());
        for (const char *name : {"95d37b64235d.jpg", "0cb80fb5c25a.jpg", "0a8b9ca14c4a.jpg"})
            writeFile(images.filePath(QString::fromLatin1(name)), "not really a jpeg");
        // A name that exists in the root but is a symlink to a file outside it.
        writeFile(outside.filePath(QStringLiteral("secret.jpg")), "secret");
        QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret.jpg")), images.filePath(QStringLiteral("75c88c280317.jpg"))));

        JsonlReader reader(JsonlReader::Flavor::Mmc4, path, images.path());
        const Collected c = readAll(reader);
        QVERIFY(c.status.ok());
        QCOMPARE(c.documents(), 107);
        QMap<QString, QString> resolved;
        QMap<QString, int> refusals;
        for (const Document &d : c.docs())
            for (const ImageRef &img : d.images) {
                if (!img.localPath.isEmpty())
                    resolved.insert(img.src, img.localPath);
                QVERIFY(img.localPath.isEmpty() != img.refusal.isEmpty());
                refusals[img.refusal] += 1;
            }
        const QString root = QFileInfo(images.path()).canonicalFilePath();
        QCOMPARE(resolved.size(), 3);
        QCOMPARE(resolved.value(QStringLiteral("95d37b64235d.jpg")), root + QStringLiteral("/95d37b64235d.jpg"));
        QCOMPARE(resolved.value(QStringLiteral("0a8b9ca14c4a.jpg")), root + QStringLiteral("/0a8b9ca14c4a.jpg"));
        QCOMPARE(refusals.value(QStringLiteral("outside_corpus")), 1);
        QCOMPARE(refusals.value(QStringLiteral("missing_file")), 417 - 3 - 1);
    }

    void mmc4ImageNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("refusal");
        QTest::newRow("plain file") << QStringLiteral("a.jpg") << QString();
        QTest::newRow("subfolder inside root") << QStringLiteral("sub/b.jpg") << QString();
        QTest::newRow("dotdot escaping") << QStringLiteral("../escape.jpg") << QStringLiteral("outside_corpus");
        QTest::newRow("dotdot deep escaping") << QStringLiteral("sub/../../escape.jpg") << QStringLiteral("outside_corpus");
        QTest::newRow("absolute") << QStringLiteral("/etc/hostname") << QStringLiteral("outside_corpus");
        QTest::newRow("url") << QStringLiteral("https://x.example/a.jpg") << QStringLiteral("not_local");
        QTest::newRow("absent") << QStringLiteral("nope.jpg") << QStringLiteral("missing_file");
        QTest::newRow("a folder") << QStringLiteral("sub") << QStringLiteral("missing_file");
        QTest::newRow("empty") << QString() << QStringLiteral("missing_file");
    }
    void mmc4ImageNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, refusal);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("root/sub")));
        writeFile(dir.filePath(QStringLiteral("root/a.jpg")), "x");
        writeFile(dir.filePath(QStringLiteral("root/sub/b.jpg")), "x");
        writeFile(dir.filePath(QStringLiteral("escape.jpg")), "x"); // exists, but outside the root
        const QString jsonl = dir.filePath(QStringLiteral("d.jsonl"));
        writeFile(jsonl, "{\"url\":\"u\",\"text_list\":[\"t\"],\"image_info\":[{\"image_name\":\"" + name.toUtf8()
                             + "\",\"matched_text_index\":0}]}" "\n");
        JsonlReader reader(JsonlReader::Flavor::Mmc4, jsonl, dir.filePath(QStringLiteral("root")));
        const Collected c = readAll(reader);
        QCOMPARE(c.documents(), 1);
        const ImageRef img = c.docs().front().images.front();
        QCOMPARE(img.refusal, refusal);
        if (refusal.isEmpty()) {
            QVERIFY(QFileInfo(img.localPath).isFile());
            QVERIFY(img.localPath.startsWith(QFileInfo(dir.filePath(QStringLiteral("root"))).canonicalFilePath() + QLatin1Char('/')));
        } else {
            QVERIFY(img.localPath.isEmpty());
        }
    }

    void mmc4MatchedIndexOutOfRange_data()
    {
        QTest::addColumn<QByteArray>("index");
        QTest::newRow("too large") << QByteArray("2");
        QTest::newRow("negative") << QByteArray("-1");
        QTest::newRow("fraction") << QByteArray("0.5");
        QTest::newRow("string") << QByteArray("\"0\"");
        QTest::newRow("missing") << QByteArray();
        // Issue 11 (found by UBSan): converting these to qint64 was undefined.
        QTest::newRow("huge") << QByteArray("1e300");
        QTest::newRow("huge negative") << QByteArray("-1e300");
        QTest::newRow("just past qint64") << QByteArray("9223372036854775808");
    }
    void mmc4MatchedIndexOutOfRange()
    {
        QFETCH(QByteArray, index);
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("d.jsonl"));
        const QByteArray field = index.isEmpty() ? QByteArray() : ", \"matched_text_index\": " + index;
        writeFile(jsonl, J("{'url':'u','text_list':['a','b'],'image_info':[{'image_name':'x.jpg'") + field + "}]}\n");
        JsonlReader reader(JsonlReader::Flavor::Mmc4, jsonl, QString());
        const Collected c = readAll(reader);
        QCOMPARE(c.errors(), QStringList());
        const Document d = c.docs().front();
        QCOMPARE(d.images.front().matchedBlock, -1);
        QCOMPARE(d.images.front().position, 5); // after both text blocks (positions 0 and 2)
        QVERIFY(d.images.front().caption.isEmpty());
        QCOMPARE(d.warnings.size(), 1);
        QVERIFY2(d.warnings.front().contains(QLatin1String("matched_text_index")), qPrintable(d.warnings.front()));
    }

    // Each row: a good line, the bad line, a good line. The bad line gives one
    // error item naming line 2; the reader goes on with line 3.
    void malformedMmc4Lines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("expected"); // substring of the error; empty: no error (skipped line)
        QTest::newRow("invalid json") << QByteArray("{\"url\": \"u\", \"text_list\": [\"a")
                                      << QStringLiteral("line 2: invalid JSON (");
        QTest::newRow("trailing garbage") << QByteArray(J("{'text_list': []} x")) << QStringLiteral("invalid JSON");
        QTest::newRow("list not object") << QByteArray(J("['a', 'b']"))
                                         << QStringLiteral("line 2: expected a JSON object, got a list");
        QTest::newRow("bare value") << QByteArray("42") << QStringLiteral("line 2: invalid JSON (illegal value");
        QTest::newRow("missing text_list") << QByteArray(J("{'url': 'u', 'image_info': []}"))
                                           << QStringLiteral("line 2: missing \"text_list\"");
        QTest::newRow("text_list is string") << QByteArray(J("{'text_list': 'abc'}"))
                                             << QStringLiteral("line 2: \"text_list\" is a string, expected a list of strings");
        QTest::newRow("text_list element number") << QByteArray(J("{'text_list': ['a', 3]}"))
                                                  << QStringLiteral("line 2: text_list[1] is a number, expected a string");
        QTest::newRow("image_info is object") << QByteArray(J("{'text_list': ['a'], 'image_info': {}}"))
                                              << QStringLiteral("\"image_info\" is an object");
        QTest::newRow("image_info element string") << QByteArray(J("{'text_list': ['a'], 'image_info': ['x.jpg']}"))
                                                   << QStringLiteral("image_info[0] is a string, expected an object");
        QTest::newRow("image_name number") << QByteArray(J("{'text_list': ['a'], 'image_info': [{'image_name': 7}]}"))
                                           << QStringLiteral("image_info[0].image_name is a number");
        QTest::newRow("non utf8") << QByteArray("{\"text_list\": [\"caf\xe9\"]}")
                                  << QStringLiteral("line 2: invalid JSON (invalid UTF8 string");
        QTest::newRow("overlong utf8") << QByteArray("{\"text_list\": [\"\xc0\xaf\"]}")
                                       << QStringLiteral("line 2: invalid JSON (invalid UTF8 string");
        QTest::newRow("nul byte") << QByteArray("{\"text_list\": [\"a\"]}\0x", 21) << QStringLiteral("line 2: invalid JSON (");
        QTest::newRow("over limit") << ("{\"text_list\": [\"" + QByteArray(5000, 'a') + "\"]}")
                                    << QStringLiteral("line 2: longer than the limit of 4096 bytes");
        QTest::newRow("empty line") << QByteArray() << QString();
        QTest::newRow("blank line") << QByteArray(" \t \r") << QString();
    }
    void malformedMmc4Lines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("bad.jsonl"));
        writeFile(jsonl, kGoodMmc4 + '\n' + line + '\n' + kGoodMmc4 + '\n');
        JsonlReader reader(JsonlReader::Flavor::Mmc4, jsonl, QString());
        reader.setMaxLineBytes(4096);
        const Collected c = readAll(reader);
        QVERIFY(c.status.ok());
        QCOMPARE(c.documents(), 2);
        QCOMPARE(c.items.back().location, QStringLiteral("bad.jsonl:3"));
        const QStringList errors = c.errors();
        if (expected.isEmpty()) {
            QCOMPARE(errors, QStringList());
            QCOMPARE(c.items.size(), size_t(2));
            return;
        }
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.front().contains(expected), qPrintable(errors.front()));
        QVERIFY(!errors.front().contains(QLatin1Char('\n')));
        QCOMPARE(c.items.at(1).location, QStringLiteral("bad.jsonl:2"));
    }

    // The real default limit, with a line just over 64 MiB, never buffered whole.
    void hugeLineOverDefaultLimit()
    {
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("huge.jsonl"));
        {
            QFile f(jsonl);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kGoodMmc4 + "\n{\"text_list\": [\"");
            const QByteArray chunk(1 << 20, 'z');
            for (int i = 0; i < 65; ++i)
                f.write(chunk);
            f.write("\"]}\n" + kGoodMmc4); // last line without a newline
        }
        JsonlReader reader(JsonlReader::Flavor::Mmc4, jsonl, QString());
        QCOMPARE(reader.maxLineBytes(), qint64(64) * 1024 * 1024);
        const Collected c = readAll(reader);
        QVERIFY(c.status.ok());
        QCOMPARE(c.documents(), 2);
        QCOMPARE(c.errors().size(), 1);
        QVERIFY2(c.errors().front().startsWith(QLatin1String("line 2: longer than the limit of 67108864 bytes")),
                 qPrintable(c.errors().front()));
        QCOMPARE(c.items.back().location, QStringLiteral("huge.jsonl:3"));
    }

    void keyIgnoresLineEnding()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(QStringLiteral("lf.jsonl")), kGoodMmc4 + '\n');
        writeFile(dir.filePath(QStringLiteral("crlf.jsonl")), kGoodMmc4 + "\r\n");
        JsonlReader lf(JsonlReader::Flavor::Mmc4, dir.filePath(QStringLiteral("lf.jsonl")), QString());
        JsonlReader crlf(JsonlReader::Flavor::Mmc4, dir.filePath(QStringLiteral("crlf.jsonl")), QString());
        const QString key = readAll(lf).docs().front().key;
        QVERIFY(key.startsWith(QLatin1String("mmc4:http://a.example/1#")));
        QCOMPARE(key.size(), int(QStringLiteral("mmc4:http://a.example/1#").size() + 16));
        QCOMPARE(readAll(crlf).docs().front().key, key);
        const Document d = readAll(lf).docs().front();
        QCOMPARE(d.blocks.front().text, QStringLiteral("First sentence.")); // whitespace normalised
        QCOMPARE(d.images.front().caption, QStringLiteral("Second."));
    }

    void obelicsWellFormed()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("img")));
        writeFile(dir.filePath(QStringLiteral("img/cat.png")), "png");
        writeFile(dir.filePath(QStringLiteral("outside.png")), "png");
        // metadata and general_metadata are JSON strings holding JSON, as in OBELICS.
        QJsonObject o = QJsonDocument::fromJson(
                            J("{'texts': ['Intro  text.', null, null, 'Outro.', null, null, null], 'images': [null, 'img/cat.png', 'https://cdn.example/x.jpg', null, '../outside.png', '/etc/hostname', 'img/gone.png'], 'license': 'CC-BY-4.0'}"))
                            .object();
        QVERIFY(!o.isEmpty());
        o.insert(QStringLiteral("metadata"),
                 QString::fromUtf8(J("[null, {'alt_text': 'A  cat', 'src': 'https://e.example/cat.png'}, {'alt_text': 'remote'}, null, null, null, null]")));
        o.insert(QStringLiteral("general_metadata"), QString::fromUtf8(J("{'url': 'https://e.example/page', 'warc_filename': 'w'}")));
        const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
        const QString jsonl = dir.filePath(QStringLiteral("obelics.jsonl"));
        writeFile(jsonl, line + '\n');
        // No images root given: the JSONL's folder is the root.
        JsonlReader reader(JsonlReader::Flavor::Obelics, jsonl, QString());
        const Collected c = readAll(reader);
        QCOMPARE(c.errors(), QStringList());
        QCOMPARE(c.documents(), 1);
        const Document d = c.docs().front();
        QCOMPARE(d.url, QStringLiteral("https://e.example/page"));
        QCOMPARE(d.license, QStringLiteral("CC-BY-4.0"));
        QVERIFY(d.key.startsWith(QLatin1String("obelics:https://e.example/page#")));
        QCOMPARE(d.warnings, QStringList());
        QCOMPARE(d.blocks.size(), 2);
        QCOMPARE(d.blocks.at(0).text, QStringLiteral("Intro text."));
        QCOMPARE(d.blocks.at(0).position, 0);
        QCOMPARE(d.blocks.at(1).position, 3);
        QCOMPARE(d.images.size(), 5);
        const QString root = QFileInfo(dir.path()).canonicalFilePath();
        QCOMPARE(d.images.at(0).position, 1);
        QCOMPARE(d.images.at(0).src, QStringLiteral("img/cat.png"));
        QCOMPARE(d.images.at(0).localPath, root + QStringLiteral("/img/cat.png"));
        QCOMPARE(d.images.at(0).refusal, QString());
        QCOMPARE(d.images.at(0).alt, QStringLiteral("A cat"));
        QCOMPARE(d.images.at(0).matchedBlock, -1);
        QCOMPARE(d.images.at(1).refusal, QStringLiteral("not_local"));
        QCOMPARE(d.images.at(1).alt, QStringLiteral("remote"));
        QCOMPARE(d.images.at(2).refusal, QStringLiteral("outside_corpus"));
        QCOMPARE(d.images.at(3).refusal, QStringLiteral("outside_corpus"));
        QCOMPARE(d.images.at(4).refusal, QStringLiteral("missing_file"));
        QCOMPARE(d.images.at(4).position, 6);
    }

    void obelicsExplicitRootAndNoUrl()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("pics")));
        writeFile(dir.filePath(QStringLiteral("pics/a.jpg")), "x");
        writeFile(dir.filePath(QStringLiteral("b.jpg")), "x");
        const QString jsonl = dir.filePath(QStringLiteral("o.jsonl"));
        writeFile(jsonl, J("{'texts': [null, null, 't'], 'images': ['a.jpg', '../b.jpg', null], 'licence': 'public domain'}") + "\n");
        JsonlReader reader(JsonlReader::Flavor::Obelics, jsonl, dir.filePath(QStringLiteral("pics")));
        const Collected c = readAll(reader);
        QCOMPARE(c.errors(), QStringList());
        const Document d = c.docs().front();
        QVERIFY(d.key.startsWith(QLatin1String("obelics:#")));
        QCOMPARE(d.license, QStringLiteral("public domain"));
        QCOMPARE(d.images.at(0).refusal, QString());
        QCOMPARE(d.images.at(1).refusal, QStringLiteral("outside_corpus")); // b.jpg exists, but above the root
    }

    void malformedObelicsLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("expected");
        QTest::newRow("both null") << QByteArray(J("{'texts': ['a', null], 'images': [null, null]}"))
                                   << QStringLiteral("line 2: position 1 has neither a text nor an image");
        QTest::newRow("both set") << QByteArray(J("{'texts': ['a', 'b'], 'images': [null, 'x.jpg']}"))
                                  << QStringLiteral("line 2: position 1 has both a text and an image");
        QTest::newRow("length mismatch") << QByteArray(J("{'texts': ['a', null], 'images': [null]}"))
                                         << QStringLiteral("\"texts\" has 2 entries but \"images\" has 1");
        QTest::newRow("missing texts") << QByteArray(J("{'images': [null]}")) << QStringLiteral("\"texts\" is missing");
        QTest::newRow("images not list") << QByteArray(J("{'texts': ['a'], 'images': 'x'}"))
                                         << QStringLiteral("\"images\" is a string, expected a list");
        QTest::newRow("text is number") << QByteArray(J("{'texts': [1], 'images': [null]}"))
                                        << QStringLiteral("texts[0] is a number");
        QTest::newRow("image is object") << QByteArray(J("{'texts': [null], 'images': [{}]}"))
                                         << QStringLiteral("images[0] is an object");
    }
    void malformedObelicsLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("o.jsonl"));
        const QByteArray good = J("{'texts': ['hello', null], 'images': [null, 'x.jpg']}");
        writeFile(jsonl, good + '\n' + line + '\n' + good + '\n');
        JsonlReader reader(JsonlReader::Flavor::Obelics, jsonl, QString());
        const Collected c = readAll(reader);
        QVERIFY(c.status.ok());
        QCOMPARE(c.documents(), 2);
        QCOMPARE(c.errors().size(), 1);
        QVERIFY2(c.errors().front().contains(expected), qPrintable(c.errors().front()));
        QCOMPARE(c.items.at(1).location, QStringLiteral("o.jsonl:2"));
    }

    void obelicsBrokenMetadataIsAWarning()
    {
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("o.jsonl"));
        writeFile(jsonl, "{\"texts\": [null], \"images\": [\"x.jpg\"], \"metadata\": \"[{oops\", \"general_metadata\": 5}\n");
        JsonlReader reader(JsonlReader::Flavor::Obelics, jsonl, QString());
        const Collected c = readAll(reader);
        QCOMPARE(c.documents(), 1);
        const Document d = c.docs().front();
        QCOMPARE(d.warnings.size(), 2);
        QVERIFY(d.images.front().alt.isEmpty());
    }

    void sinkCanStopEarly()
    {
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("d.jsonl"));
        writeFile(jsonl, kGoodMmc4 + '\n' + kGoodMmc4 + '\n' + kGoodMmc4 + '\n');
        JsonlReader reader(JsonlReader::Flavor::Mmc4, jsonl, QString());
        int seen = 0;
        const Status s = reader.read([&](SourceItem &&) { return ++seen < 2; });
        QVERIFY(s.ok());
        QCOMPARE(seen, 2);
    }

    void cancelStops()
    {
        QTemporaryDir dir;
        const QString jsonl = dir.filePath(QStringLiteral("d.jsonl"));
        writeFile(jsonl, kGoodMmc4 + '\n' + kGoodMmc4 + '\n' + kGoodMmc4 + '\n');
        JsonlReader reader(JsonlReader::Flavor::Mmc4, jsonl, QString());
        std::atomic<bool> cancel{false};
        int seen = 0;
        const Status s = reader.read(
            [&](SourceItem &&) {
                ++seen;
                cancel = true;
                return true;
            },
            &cancel);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Canceled);
        QCOMPARE(seen, 1);
    }

    void missingFileIsAnError()
    {
        JsonlReader reader(JsonlReader::Flavor::Mmc4, QStringLiteral("/nonexistent/x.jsonl"), QString());
        const Status s = reader.read([](SourceItem &&) { return true; });
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::NotFound);
        QCOMPARE(s.error().context, QStringLiteral("/nonexistent/x.jsonl"));
    }
};

QTEST_GUILESS_MAIN(TestJsonlReader)
#include "test_jsonlreader.moc"
