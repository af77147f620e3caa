#include "core/extract/sentencescore.h"

#include <QTest>

using namespace rs;

namespace {
QString s(const char *utf8) { return QString::fromUtf8(utf8); }
} // namespace

class TestSentenceScore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void words_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<int>("words");
        QTest::newRow("empty") << QString() << 0;
        QTest::newRow("plain") << s("The cat sat on the mat.") << 6;
        QTest::newRow("spaced punctuation") << s("Hello , world ! -- ok") << 3;
        QTest::newRow("punctuation only") << s("-- & ... ? !!! \u2014 \u00A9") << 0;
        QTest::newRow("abbrev decimal code") << s("e.g. 3.5 C++ mm") << 4;
        QTest::newRow("whitespace runs") << s("  multiple   spaces\there\n") << 3;
        QTest::newRow("accents") << s("na\u00EFve caf\u00E9 \u00FCber") << 3;
        QTest::newRow("vulgar fraction") << s("\u00BD cup") << 2;
        QTest::newRow("chinese run") << s("我喜欢猫") << 1;
        QTest::newRow("emoji token") << s("nice 😀 day") << 2;
        QTest::newRow("hyphen and apostrophe") << s("well-known don't") << 2;
    }
    void words()
    {
        QFETCH(QString, sentence);
        QFETCH(int, words);
        QCOMPARE(scoreSentence(sentence).words, words);
    }

    void entropy_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<double>("entropy");
        QTest::newRow("empty") << QString() << 0.0;
        QTest::newRow("one word") << s("hello") << 0.0;
        QTest::newRow("a a a a") << s("a a a a") << 0.0;
        QTest::newRow("a b c d") << s("a b c d") << 2.0;
        QTest::newRow("a a b b") << s("a a b b") << 1.0;
        QTest::newRow("case and punctuation fold") << s("A a, a! \"A.\"") << 0.0;
        QTest::newRow("a a a b") << s("a a a b") << 0.8112781244591328;
        QTest::newRow("cat cat dog") << s("Cat, cat. dog") << 0.9182958340544896;
        QTest::newRow("the cat the dog") << s("the cat the dog") << 1.5;
        QTest::newRow("punctuation tokens ignored") << s("a ... b -- !") << 1.0;
        QTest::newRow("eight distinct") << s("one two three four five six seven eight") << 3.0;
    }
    void entropy()
    {
        QFETCH(QString, sentence);
        QFETCH(double, entropy);
        const double got = scoreSentence(sentence).entropy;
        QVERIFY2(qAbs(got - entropy) < 1e-9, qPrintable(QStringLiteral("got %1").arg(got, 0, 'g', 17)));
    }

    void url_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<bool>("hasUrl");
        QTest::newRow("http") << s("see http://example.org for more") << true;
        QTest::newRow("https path query") << s("at https://x.y/z?a=1&b=2.") << true;
        QTest::newRow("ftp") << s("get ftp://files.example.net/a.tar") << true;
        QTest::newRow("upper scheme") << s("HTTP://EXAMPLE.ORG is loud") << true;
        QTest::newRow("localhost with scheme") << s("open http://localhost:8080 now") << true;
        QTest::newRow("www") << s("visit www.gimp.org.") << true;
        QTest::newRow("www in parens") << s("(www.gimp.org)") << true;
        QTest::newRow("bare dot com") << s("buy it on example.com today") << true;
        QTest::newRow("bare with path") << s("read example.com/path/to/page") << true;
        QTest::newRow("capitalised host") << s("Shop at Amazon.com now") << true;
        QTest::newRow("three labels cc") << s("news on bbc.co.uk") << true;
        QTest::newRow("cc with path") << s("see gimp.de/news") << true;
        QTest::newRow("short link") << s("t.co/abc123 here") << true;
        QTest::newRow("io") << s("hosted at project.io") << true;

        QTest::newRow("plain") << s("A quiet sentence about cats.") << false;
        QTest::newRow("decimal unit") << s("a 3.5 mm jack") << false;
        QTest::newRow("e.g.") << s("tools, e.g. pliers") << false;
        QTest::newRow("i.e.") << s("that is, i.e. the end") << false;
        QTest::newRow("file png") << s("open file.png now") << false;
        QTest::newRow("file cpp py md sh") << s("main.cpp setup.py README.md run.sh lib.rs") << false;
        QTest::newRow("U.S.") << s("the U.S. Army") << false;
        QTest::newRow("ASP.NET") << s("built on ASP.NET Core") << false;
        QTest::newRow("Node.js") << s("written in Node.js") << false;
        QTest::newRow("missing space cc") << s("that was the end.it was late") << false;
        QTest::newRow("version") << s("release v2.10.34 shipped") << false;
        QTest::newRow("am pm PhD") << s("at 9 a.m. a Ph.D. student") << false;
        QTest::newRow("email is not url") << s("mail john@example.com") << false;
        QTest::newRow("bare www") << s("the www is big") << false;
        QTest::newRow("ip without scheme") << s("address 192.168.0.1") << false;
    }
    void url()
    {
        QFETCH(QString, sentence);
        QFETCH(bool, hasUrl);
        QCOMPARE(scoreSentence(sentence).hasUrl, hasUrl);
    }

    void email_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<bool>("hasEmail");
        QTest::newRow("simple") << s("write to john.smith@example.com today") << true;
        QTest::newRow("angle brackets plus") << s("<a.b+c@mail.example.co.uk>") << true;
        QTest::newRow("mailto") << s("mailto:x@y.org") << true;
        QTest::newRow("trailing period") << s("Contact INFO@Example.ORG.") << true;
        QTest::newRow("handle") << s("follow @username now") << false;
        QTest::newRow("no tld") << s("me@home tonight") << false;
        QTest::newRow("localhost") << s("user@localhost") << false;
        QTest::newRow("obfuscated") << s("john at example dot com") << false;
        QTest::newRow("one letter tld") << s("a@b.c") << false;
        QTest::newRow("at sign alone") << s("meet @ 5 pm") << false;
    }
    void email()
    {
        QFETCH(QString, sentence);
        QFETCH(bool, hasEmail);
        const SentenceScores scores = scoreSentence(sentence);
        QCOMPARE(scores.hasEmail, hasEmail);
        QVERIFY(!scores.hasUrl);
    }

    void emoji_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<bool>("hasEmoji");
        QTest::newRow("grinning") << s("so happy 😀") << true;
        QTest::newRow("heart with VS16") << s("I \u2764\uFE0F NY") << true;
        QTest::newRow("flag") << s("team \U0001F1E9\U0001F1EA wins") << true;
        QTest::newRow("skin tone") << s("👍🏽 agreed") << true;
        QTest::newRow("coffee BMP presentation") << s("\u2615 time") << true;
        QTest::newRow("star emoji") << s("rated \u2B50") << true;
        QTest::newRow("check mark button") << s("\u2705 done") << true;
        QTest::newRow("keycap") << s("press 1\uFE0F\u20E3 now") << true;
        QTest::newRow("zwj family") << s("👨\u200D👩\u200D👧 photo") << true;
        QTest::newRow("text-default sunglasses") << s("cool \U0001F576") << true;

        QTest::newRow("plain") << s("No pictures here.") << false;
        QTest::newRow("copyright") << s("\u00A9 2024 Acme") << false;
        QTest::newRow("registered trademark") << s("Acme\u00AE Widget\u2122") << false;
        QTest::newRow("degree plus-minus times") << s("25 \u00B0C \u00B1 3 and 2 \u00D7 3") << false;
        QTest::newRow("black star") << s("\u2605\u2605\u2605 rating") << false;
        QTest::newRow("arrow") << s("next \u2192 page \u2194") << false;
        QTest::newRow("heavy check text style") << s("\u2714 done") << false;
        QTest::newRow("heart without VS16") << s("I \u2764 NY") << false;
        QTest::newRow("cjk") << s("日本語のテキスト") << false;
        QTest::newRow("math") << s("\u2211 x \u2264 \u221E") << false;
    }
    void emoji()
    {
        QFETCH(QString, sentence);
        QFETCH(bool, hasEmoji);
        QCOMPARE(scoreSentence(sentence).hasEmoji, hasEmoji);
    }

    void malformedInput_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<int>("words");
        QTest::addColumn<QString>("lastWord");
        QTest::newRow("lone high surrogate")
            << (QStringLiteral("ab ") + QChar(0xD83D) + QStringLiteral(" cd")) << 2 << s("cd");
        QTest::newRow("lone low surrogate") << (QChar(0xDE00) + QStringLiteral(" x")) << 1 << s("x");
        QTest::newRow("nul") << (QStringLiteral("a") + QChar(0) + QStringLiteral(" b")) << 2 << s("b");
        QTest::newRow("dangling vs16") << (QChar(0xFE0F) + QStringLiteral(" x")) << 1 << s("x");
        QTest::newRow("dangling keycap") << (QChar(0x20E3) + QStringLiteral(" x")) << 1 << s("x");
    }
    void malformedInput()
    {
        // Broken UTF-16 must neither crash nor be taken for a word or an emoji.
        QFETCH(QString, sentence);
        QFETCH(int, words);
        QFETCH(QString, lastWord);
        const SentenceScores scores = scoreSentence(sentence);
        QCOMPARE(scores.words, words);
        QVERIFY(!scores.hasEmoji);
        QVERIFY(dedupKey(sentence).endsWith(lastWord));
    }

    void dedupKeyValue_data()
    {
        QTest::addColumn<QString>("sentence");
        QTest::addColumn<QString>("key");
        QTest::newRow("basic") << s("Hello, World!") << s("hello world");
        QTest::newRow("only punctuation") << s("!!! ... \u2014 ?") << QString();
        QTest::newRow("fullwidth") << s("\uFF28\uFF45\uFF4C\uFF4C\uFF4F") << s("hello");
        QTest::newRow("sharp s") << s("Stra\u00DFe") << s("strasse");
        QTest::newRow("symbols removed") << s("$5 + 3 = \u20AC8 \u00A9") << s("5 3 8");
        QTest::newRow("digits kept") << s("Version 2.0 (beta)") << s("version 20 beta");
    }
    void dedupKeyValue()
    {
        QFETCH(QString, sentence);
        QFETCH(QString, key);
        QCOMPARE(dedupKey(sentence), key);
        QCOMPARE(dedupKeyUtf8(sentence), key.toUtf8());
    }

    void dedupKeyEquality_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("case and punctuation") << s("Hello, World!") << s("hello world") << true;
        QTest::newRow("fullwidth") << s("\uFF28\uFF45\uFF4C\uFF4C\uFF4F world") << s("hello WORLD") << true;
        QTest::newRow("whitespace") << s("  Hello\n\tworld ") << s("hello\u00A0world") << true;
        QTest::newRow("full case folding") << s("Stra\u00DFe") << s("STRASSE") << true;
        QTest::newRow("ligature") << s("\uFB01ne") << s("fine") << true;
        QTest::newRow("composed vs decomposed") << s("caf\u00E9") << s("cafe\u0301") << true;
        QTest::newRow("emoji removed") << s("Hello 😀 world") << s("hello world") << true;
        QTest::newRow("apostrophe removed") << s("don't") << s("dont") << true;
        QTest::newRow("dash between words") << s("a \u2013 b") << s("a b") << true;
        QTest::newRow("soft hyphen") << s("soft\u00ADhyphen") << s("softhyphen") << true;
        QTest::newRow("curly vs straight quotes") << s("\u201CYes,\u201D he said.") << s("\"Yes,\" he said")
                                                  << true;
        QTest::newRow("superscript digit") << s("x\u00B2") << s("x2") << true;

        QTest::newRow("different word") << s("hello world") << s("hello word") << false;
        QTest::newRow("space matters") << s("helloworld") << s("hello world") << false;
        QTest::newRow("accent matters") << s("cafe") << s("caf\u00E9") << false;
        QTest::newRow("digits matter") << s("room 12") << s("room 13") << false;
        QTest::newRow("word order") << s("dog bites man") << s("man bites dog") << false;
    }
    void dedupKeyEquality()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, equal);
        QCOMPARE(dedupKey(a) == dedupKey(b), equal);
    }

    // ASCII sentences take a shortcut past ICU (dedupKey) and past QChar's
    // property calls (scoreSentence). A non-ASCII word sends the same text
    // through the general path: every ASCII character, in every position,
    // must come out as it does there.
    void asciiShortcutMatchesGeneralPath()
    {
        const QString accented = QStringLiteral(" \u00E9t\u00E9");
        for (char16_t c = 0; c < 128; ++c) {
            const QString ascii = QStringLiteral("Ab") + QChar(c) + QStringLiteral("Cd e") + QChar(c) + QStringLiteral(" X");
            QCOMPARE(rs::dedupKey(ascii + accented), rs::dedupKey(ascii) + accented);
            // The UTF-8 form keys ASCII in one pass of its own.
            for (const QString &text : QStringList{ascii, QChar(c) + ascii + QChar(c), QString(QChar(c)) + QChar(c), ascii + accented})
                QCOMPARE(rs::dedupKeyUtf8(text), rs::dedupKey(text).toUtf8());
            const rs::SentenceScores plain = rs::scoreSentence(ascii + QStringLiteral(" Ab Ab"));
            const rs::SentenceScores mixed = rs::scoreSentence(ascii + QStringLiteral(" Ab Ab") + accented);
            QCOMPARE(mixed.words, plain.words + 1);
            QCOMPARE(mixed.hasUrl, plain.hasUrl);
            QCOMPARE(mixed.hasEmail, plain.hasEmail);
        }
        // Word keys: the same word in ASCII and in the general path counts once.
        QCOMPARE(rs::scoreSentence(QStringLiteral("Word, word! WORD \u00E9t\u00E9")).entropy,
                 rs::scoreSentence(QStringLiteral("x x x y")).entropy);
    }
};

QTEST_GUILESS_MAIN(TestSentenceScore)
#include "test_sentencescore.moc"
