// Tests for rs::ClipTokenizer against the shared reference vectors
// (shared/data/clip_tokenizer_vectors.jsonl, 350 texts) and the real merges
// file. Extra rows marked "python" were checked with a Python transcription
// of openai/CLIP's simple_tokenizer.py (regex module, html.unescape, no ftfy).

#include "core/embed/cliptokenizer.h"

#include "tests/support/testdata.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent>

#include <zlib.h>

#include <optional>

namespace {

QVector<int> toIntVector(const QJsonValue &v)
{
    QVector<int> out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toInt());
    return out;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

bool writeGzip(const QString &path, const QByteArray &bytes)
{
    gzFile gz = gzopen(QFile::encodeName(path).constData(), "wb");
    if (!gz)
        return false;
    const int written = gzwrite(gz, bytes.constData(), unsigned(bytes.size()));
    return gzclose(gz) == Z_OK && written == bytes.size();
}

QByteArray readGzip(const QString &path)
{
    QByteArray out;
    gzFile gz = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!gz)
        return out;
    char buf[1 << 16];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0)
        out.append(buf, n);
    gzclose(gz);
    return out;
}

// A syntactically valid merges text: a header, then `count` lines of `line`.
QByteArray dummyMerges(int count, const QByteArray &line, int badIndex = -1, const QByteArray &badLine = {})
{
    QByteArray out = "#version: 0.2\n";
    for (int i = 0; i < count; ++i)
        out += (i == badIndex ? badLine : line) + '\n';
    return out;
}

} // namespace

class TestClipTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void referenceFileShape();
    void referenceVectors_data();
    void referenceVectors();
    void knownTexts_data();
    void knownTexts();
    void cleanText_data();
    void cleanText();
    void tokenizeTruncatesAndPads();
    void vocabulary();
    void plainTextMergesGiveSameIds();
    void duplicateMergesFollowPythonDictSemantics();
    void loadErrors_data();
    void loadErrors();
    void concurrentEncodeMatchesSequential();

private:
    // Loads the real merges once; empty when the shared file is missing.
    std::optional<rs::ClipTokenizer> m_tokenizer;
    QString m_loadError;
    const rs::ClipTokenizer *tokenizer(const QString &path)
    {
        if (!m_tokenizer && m_loadError.isEmpty()) {
            rs::Result<rs::ClipTokenizer> r = rs::ClipTokenizer::load(path);
            if (r)
                m_tokenizer = r.value();
            else
                m_loadError = r.error().toString();
        }
        return m_tokenizer ? &*m_tokenizer : nullptr;
    }
};

// Resolves the merges file (skip/fail when missing) and binds `tok`.
#define REQUIRE_TOKENIZER(tok)                                                                     \
    RS_REQUIRE_SHARED_FILE(mergesPath_, "clip_bpe_simple_vocab_16e6.txt.gz", "CLIP token ids");    \
    const rs::ClipTokenizer *tok##Ptr = tokenizer(mergesPath_);                                    \
    QVERIFY2(tok##Ptr, qPrintable(m_loadError));                                                   \
    const rs::ClipTokenizer &tok = *tok##Ptr

void TestClipTokenizer::referenceFileShape()
{
    RS_REQUIRE_SHARED_FILE(path, "clip_tokenizer_vectors.jsonl", "reference vector count");
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    int lines = 0, truncated = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty())
            continue;
        ++lines;
        truncated += QJsonDocument::fromJson(line).object().contains(QLatin1String("truncated_77")) ? 1 : 0;
    }
    // If these change, referenceVectors is no longer checking what the data file promises.
    QCOMPARE(lines, 350);
    QCOMPARE(truncated, 26);
}

void TestClipTokenizer::referenceVectors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QVector<int>>("ids");
    QTest::addColumn<QVector<int>>("truncated");

    RS_REQUIRE_SHARED_FILE(path, "clip_tokenizer_vectors.jsonl", "CLIP token ids of 350 texts");
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    int lineNo = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty())
            continue;
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(line, &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
        const QByteArray name = "line " + QByteArray::number(lineNo) + " (" + o.value(QLatin1String("category")).toString().toUtf8() + ")";
        QTest::newRow(name.constData()) << o.value(QLatin1String("text")).toString()
                                        << toIntVector(o.value(QLatin1String("ids")))
                                        << toIntVector(o.value(QLatin1String("truncated_77")));
    }
}

void TestClipTokenizer::referenceVectors()
{
    QFETCH(QString, text);
    QFETCH(QVector<int>, ids);
    QFETCH(QVector<int>, truncated);
    REQUIRE_TOKENIZER(tok);

    QCOMPARE(tok.encode(text), ids);

    // clip.tokenize row: the ids zero-padded, or the stored truncation.
    QVector<qint64> expectedRow(rs::ClipTokenizer::kContextLength, 0);
    const QVector<int> &source = truncated.isEmpty() ? ids : truncated;
    QVERIFY(source.size() <= rs::ClipTokenizer::kContextLength);
    QCOMPARE(truncated.isEmpty(), ids.size() <= rs::ClipTokenizer::kContextLength);
    for (int k = 0; k < source.size(); ++k)
        expectedRow[k] = source[k];
    QCOMPARE(tok.tokenize(text), expectedRow);
}

void TestClipTokenizer::knownTexts_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QVector<int>>("ids");
    const auto u = [](const char16_t *s) { return QString::fromUtf16(s); };
    QTest::newRow("a diagram") << u(u"a diagram") << QVector<int>{49406, 320, 22697, 49407};
    QTest::newRow("uppercase is lowered") << u(u"A DIAGRAM") << QVector<int>{49406, 320, 22697, 49407};
    QTest::newRow("empty") << QString() << QVector<int>{49406, 49407};
    QTest::newRow("only whitespace") << u(u"   \t\n ") << QVector<int>{49406, 49407};
    // python rows
    QTest::newRow("literal special tokens") << u(u"<|startoftext|>a dog<|endoftext|>")
                                            << QVector<int>{49406, 49406, 320, 1929, 49407, 49407};
    QTest::newRow("special inside punctuation run") << u(u"a.<|endoftext|>")
                                                    << QVector<int>{49406, 320, 13, 27, 347, 40786, 4160, 91, 285, 49407};
    QTest::newRow("special with long s is a word") << u(u"<|\u017Ftartoftext|>")
                                                   << QVector<int>{49406, 27, 91, 129, 123, 2002, 6659, 18169, 91, 285, 49407};
    QTest::newRow("contraction with long s") << u(u"x'\u017F") << QVector<int>{49406, 343, 6, 129, 379, 49407};
    QTest::newRow("contraction") << u(u"dog's") << QVector<int>{49406, 1929, 568, 49407};
    QTest::newRow("apostrophe inside punctuation run") << u(u"!'s") << QVector<int>{49406, 13222, 338, 49407};
    QTest::newRow("ypogegrammeni is skipped") << u(u"a\u0345b") << QVector<int>{49406, 320, 321, 49407};
    QTest::newRow("final sigma") << u(u"\u039F\u0394\u039F\u03A3 \u03C3\u03C3")
                                 << QVector<int>{49406, 138, 123, 138, 112, 138, 123, 139, 480, 139, 225, 139, 481, 49407};
    QTest::newRow("capital dotted I") << u(u"\u0130stanbul") << QVector<int>{49406, 328, 16384, 11231, 49407};
    QTest::newRow("U+001C is not \\s but is stripped") << u(u"a\u001Cb") << QVector<int>{49406, 320, 472, 321, 49407};
    QTest::newRow("U+001C at the ends") << u(u"\u001C a \u001F") << QVector<int>{49406, 320, 49407};
    QTest::newRow("unicode spaces") << u(u"a\u00A0\u3000b\u2028") << QVector<int>{49406, 320, 321, 49407};
    QTest::newRow("double unescape") << u(u"&amp;amp;lt;") << QVector<int>{49406, 261, 3333, 282, 49407};
    QTest::newRow("digits one by one") << u(u"2023") << QVector<int>{49406, 273, 271, 273, 274, 49407};
    QTest::newRow("astral emoji") << u(u"\U0001F600\U0001F600!") << QVector<int>{49406, 12832, 12832, 256, 49407};
    QTest::newRow("accent") << u(u"caf\u00E9") << QVector<int>{49406, 15304, 49407};
}

void TestClipTokenizer::knownTexts()
{
    QFETCH(QString, text);
    QFETCH(QVector<int>, ids);
    REQUIRE_TOKENIZER(tok);
    QCOMPARE(tok.encode(text), ids);
}

void TestClipTokenizer::cleanText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    const auto u = [](const char16_t *s) { return QString::fromUtf16(s); };
    QTest::newRow("unescape twice, collapse, strip, lower") << u(u"  A&amp;amp;B \t\n C  ") << u(u"a&b c");
    QTest::newRow("final sigma") << u(u"\u039F\u0394\u039F\u03A3 \u03C3\u03C3") << u(u"\u03BF\u03B4\u03BF\u03C2 \u03C3\u03C3");
    QTest::newRow("dotted capital I expands") << u(u"\u0130stanbul") << u(u"i\u0307stanbul");
    QTest::newRow("titlecase digraph") << u(u"\u01C5") << u(u"\u01C6");
    QTest::newRow("sharp s kept") << u(u"\u00C0\u00C9\u00CE Stra\u00DFe") << u(u"\u00E0\u00E9\u00EE stra\u00DFe");
    QTest::newRow("U+001C stripped at the ends only") << u(u"\u001C a\u001Cb \u001F") << u(u"a\u001Cb");
    QTest::newRow("entities") << u(u"&lt;b&gt;") << u(u"<b>");
}

void TestClipTokenizer::cleanText()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(rs::ClipTokenizer::cleanText(text), expected);
}

void TestClipTokenizer::tokenizeTruncatesAndPads()
{
    REQUIRE_TOKENIZER(tok);
    const QString text = QStringLiteral("a photo of a dog"); // 49406 320 1125 539 320 1929 49407
    QCOMPARE(tok.tokenize(text, 5), (QVector<qint64>{49406, 320, 1125, 539, 49407}));
    QCOMPARE(tok.tokenize(text, 7), (QVector<qint64>{49406, 320, 1125, 539, 320, 1929, 49407}));
    QCOMPARE(tok.tokenize(text, 9), (QVector<qint64>{49406, 320, 1125, 539, 320, 1929, 49407, 0, 0}));
    QCOMPARE(tok.tokenize(text, 1), (QVector<qint64>{49407}));
    QVERIFY(tok.tokenize(text, 0).isEmpty());
    QCOMPARE(tok.tokenize(QString()).size(), 77);

    // Exactly 77 ids ("a" x 75) is not truncated; 76 texts tokens are.
    const QVector<qint64> full = tok.tokenize(QStringLiteral("a ").repeated(75));
    QCOMPARE(full.size(), 77);
    QCOMPARE(full[75], qint64(320));
    QCOMPARE(full[76], qint64(49407));
    const QVector<qint64> cut = tok.tokenize(QStringLiteral("a ").repeated(76));
    QCOMPARE(cut[75], qint64(320));
    QCOMPARE(cut[76], qint64(49407));
    QCOMPARE(tok.encode(QStringLiteral("a ").repeated(76)).size(), 78);
}

void TestClipTokenizer::vocabulary()
{
    REQUIRE_TOKENIZER(tok);
    QCOMPARE(tok.vocabSize(), 49408);
    QCOMPARE(tok.encode(QStringLiteral("a dog")), (QVector<int>{49406, 320, 1929, 49407}));
    QCOMPARE(tok.encode(QStringLiteral("a cat")), (QVector<int>{49406, 320, 2368, 49407}));
}

void TestClipTokenizer::plainTextMergesGiveSameIds()
{
    RS_REQUIRE_SHARED_FILE(gzPath, "clip_bpe_simple_vocab_16e6.txt.gz", "loading uncompressed merges");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray text = readGzip(gzPath);
    QVERIFY(text.left(text.indexOf('\n')).contains("#version")); // the header line
    const QString txtPath = dir.filePath(QStringLiteral("merges.txt"));
    QVERIFY(writeFile(txtPath, text));
    rs::Result<rs::ClipTokenizer> plain = rs::ClipTokenizer::load(txtPath);
    QVERIFY2(plain.ok(), plain.ok() ? "" : qPrintable(plain.error().toString()));
    QCOMPARE(plain->encode(QStringLiteral("a diagram of the human heart")),
             (QVector<int>{49406, 320, 22697, 539, 518, 2751, 1936, 49407}));

    // A re-compressed copy with CRLF line ends still parses (Python's split()).
    const QString crlfPath = dir.filePath(QStringLiteral("merges_crlf.txt.gz"));
    QByteArray crlf = text;
    crlf.replace("\n", "\r\n");
    QVERIFY(writeGzip(crlfPath, crlf));
    rs::Result<rs::ClipTokenizer> crlfTok = rs::ClipTokenizer::load(crlfPath);
    QVERIFY2(crlfTok.ok(), crlfTok.ok() ? "" : qPrintable(crlfTok.error().toString()));
    QCOMPARE(crlfTok->encode(QStringLiteral("a diagram")), (QVector<int>{49406, 320, 22697, 49407}));
}

void TestClipTokenizer::duplicateMergesFollowPythonDictSemantics()
{
    // 48894 copies of "a b</w>": in CLIP's dicts the last copy's id wins, so
    // "ab" becomes the single id 512 + 48893 = 49405.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("dup.txt"));
    QVERIFY(writeFile(path, dummyMerges(rs::ClipTokenizer::kMergeCount, "a b</w>")));
    rs::Result<rs::ClipTokenizer> tok = rs::ClipTokenizer::load(path);
    QVERIFY2(tok.ok(), tok.ok() ? "" : qPrintable(tok.error().toString()));
    QCOMPARE(tok->vocabSize(), 49408);
    QCOMPARE(tok->encode(QStringLiteral("ab")), (QVector<int>{49406, 49405, 49407}));
    QCOMPARE(tok->encode(QStringLiteral("ba")), (QVector<int>{49406, 65, 320, 49407})); // 'b', 'a</w>'
}

void TestClipTokenizer::loadErrors_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content"); // written as is; null = do not create
    QTest::addColumn<bool>("gzip");          // gzip the content when writing
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("messagePart");
    QTest::addColumn<QString>("contextSuffix");

    const int ok = rs::ClipTokenizer::kMergeCount;
    QTest::newRow("missing file") << QStringLiteral("none.txt.gz") << QByteArray() << false
                                  << int(rs::ErrorCode::NotFound) << QStringLiteral("not found") << QStringLiteral("none.txt.gz");
    QTest::newRow(".gz that is not gzip") << QStringLiteral("fake.txt.gz") << QByteArray("a b\nc d\n") << false
                                          << int(rs::ErrorCode::ParseError) << QStringLiteral("not a gzip file")
                                          << QStringLiteral("fake.txt.gz");
    QTest::newRow("empty file") << QStringLiteral("empty.txt") << QByteArray("") << false
                                << int(rs::ErrorCode::ParseError) << QStringLiteral("too few merges: the file has 0 ")
                                << QStringLiteral("empty.txt");
    QTest::newRow("too few merges") << QStringLiteral("short.txt") << dummyMerges(3, "a b") << false
                                    << int(rs::ErrorCode::ParseError) << QStringLiteral("too few merges: the file has 3 ")
                                    << QStringLiteral("short.txt");
    QTest::newRow("too few merges, gzipped") << QStringLiteral("short.txt.gz") << dummyMerges(ok - 1, "a b") << true
                                             << int(rs::ErrorCode::ParseError) << QStringLiteral("too few merges")
                                             << QStringLiteral("short.txt.gz");
    QTest::newRow("one symbol on a line") << QStringLiteral("bad.txt") << dummyMerges(ok, "a b", 99, "abc") << false
                                          << int(rs::ErrorCode::ParseError) << QStringLiteral("malformed merge")
                                          << QStringLiteral("bad.txt:101");
    QTest::newRow("three symbols on a line") << QStringLiteral("bad3.txt.gz") << dummyMerges(ok, "a b", ok - 1, "a b c")
                                             << true << int(rs::ErrorCode::ParseError) << QStringLiteral("malformed merge")
                                             << QStringLiteral("bad3.txt.gz:48895");
    QTest::newRow("invalid UTF-8") << QStringLiteral("latin1.txt") << QByteArray("#version: 0.2\n\xff\xfe b\n") << false
                                   << int(rs::ErrorCode::ParseError) << QStringLiteral("UTF-8") << QStringLiteral("latin1.txt");
}

void TestClipTokenizer::loadErrors()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(bool, gzip);
    QFETCH(int, code);
    QFETCH(QString, messagePart);
    QFETCH(QString, contextSuffix);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(fileName);
    if (!content.isNull())
        QVERIFY(gzip ? writeGzip(path, content) : writeFile(path, content));

    const rs::Result<rs::ClipTokenizer> r = rs::ClipTokenizer::load(path);
    QVERIFY(!r.ok());
    QCOMPARE(int(r.error().code), code);
    QVERIFY2(r.error().message.contains(messagePart), qPrintable(r.error().message));
    QVERIFY2(r.error().context.endsWith(contextSuffix), qPrintable(r.error().context));
}

void TestClipTokenizer::concurrentEncodeMatchesSequential()
{
    REQUIRE_TOKENIZER(reference);
    RS_REQUIRE_SHARED_FILE(vectorsPath, "clip_tokenizer_vectors.jsonl", "texts for the thread test");

    // Corrupt and truncated copies of the real gzip file, checked here because
    // they need the real file.
    {
        QFile f(mergesPath_);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray real = f.readAll();
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("cut.txt.gz")), real.left(real.size() / 2)));
        const auto cut = rs::ClipTokenizer::load(dir.filePath(QStringLiteral("cut.txt.gz")));
        QVERIFY(!cut.ok());
        QCOMPARE(cut.error().code, rs::ErrorCode::ParseError);
        QVERIFY2(cut.error().message.contains(QLatin1String("truncated")), qPrintable(cut.error().message));
        QByteArray bad = real;
        for (int k = 1000; k < 1400; ++k)
            bad[k] = char(0xFF);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("bad.txt.gz")), bad));
        const auto corrupt = rs::ClipTokenizer::load(dir.filePath(QStringLiteral("bad.txt.gz")));
        QVERIFY(!corrupt.ok());
        QCOMPARE(corrupt.error().code, rs::ErrorCode::ParseError);
        QVERIFY2(corrupt.error().message.contains(QLatin1String("gzip")), qPrintable(corrupt.error().message));
    }

    QStringList texts;
    QFile f(vectorsPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (!line.isEmpty())
            texts << QJsonDocument::fromJson(line).object().value(QLatin1String("text")).toString();
    }
    QCOMPARE(texts.size(), 350);
    QList<QVector<int>> expected;
    for (const QString &t : texts)
        expected << reference.encode(t);

    // A fresh instance has a cold word cache: both threads fill it at once.
    rs::Result<rs::ClipTokenizer> fresh = rs::ClipTokenizer::load(mergesPath_);
    QVERIFY(fresh.ok());
    const rs::ClipTokenizer &shared = fresh.value();
    QThreadPool pool;
    pool.setMaxThreadCount(2);
    auto encodeAll = [&shared, &texts] {
        QList<QVector<int>> out;
        for (int round = 0; round < 3; ++round) {
            out.clear();
            for (const QString &t : texts)
                out << shared.encode(t);
        }
        return out;
    };
    QFuture<QList<QVector<int>>> a = QtConcurrent::run(&pool, encodeAll);
    QFuture<QList<QVector<int>>> b = QtConcurrent::run(&pool, encodeAll);
    QCOMPARE(a.result(), expected);
    QCOMPARE(b.result(), expected);

    // And a copy (shares tables and cache) used from a mapped reduction.
    const rs::ClipTokenizer copy = shared;
    const QList<QVector<int>> mapped = QtConcurrent::blockingMapped<QList<QVector<int>>>(
        &pool, texts, [&copy](const QString &t) { return copy.encode(t); });
    QCOMPARE(mapped, expected);
}

QTEST_GUILESS_MAIN(TestClipTokenizer)
#include "test_cliptokenizer.moc"
