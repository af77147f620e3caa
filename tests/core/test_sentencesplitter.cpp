#include "core/extract/sentencesplitter.h"

#include <QTest>

using namespace rs;

namespace {
QString s(const char *utf8) { return QString::fromUtf8(utf8); }

QStringList list(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *i : items)
        out.append(QString::fromUtf8(i));
    return out;
}

QString withoutSpaces(QString text) { return text.remove(u' '); }
} // namespace

class TestSentenceSplitter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void usesIcu() { QVERIFY(SentenceSplitter().usesIcu()); }

    void split_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("expected");

        // Basics and empty input.
        QTest::newRow("empty") << QString() << QStringList();
        QTest::newRow("only whitespace") << s(" \n\t\u00A0 ") << QStringList();
        QTest::newRow("two plain") << s("Hello world. This is a test.") << list({"Hello world.", "This is a test."});
        QTest::newRow("question, exclamation")
            << s("Really? Yes! Fine.") << list({"Really?", "Yes!", "Fine."});
        QTest::newRow("no final terminator") << s("One here. And a tail") << list({"One here.", "And a tail"});

        // Abbreviations that precede what they qualify.
        QTest::newRow("titles") << s("Dr. Smith met Mr. Jones and Mrs. Brown. They talked.")
                                << list({"Dr. Smith met Mr. Jones and Mrs. Brown.", "They talked."});
        QTest::newRow("Prof Ms St") << s("Prof. Adams and Ms. Lee visited St. Mary's church. It rained.")
                                    << list({"Prof. Adams and Ms. Lee visited St. Mary's church.", "It rained."});
        QTest::newRow("e.g. before capital") << s("Use an editor, e.g. GIMP or Krita. It is free.")
                                             << list({"Use an editor, e.g. GIMP or Krita.", "It is free."});
        QTest::newRow("i.e. before opener") << s("One choice remains, i.e. The red one. Fine.")
                                            << list({"One choice remains, i.e. The red one.", "Fine."});
        QTest::newRow("vs. and cf.") << s("It was Brazil vs. Germany. Compare cf. Table 2 here. Done.")
                                     << list({"It was Brazil vs. Germany.", "Compare cf. Table 2 here.", "Done."});
        QTest::newRow("Fig. number") << s("See Fig. 3 for details. Also see Fig. 4b.")
                                     << list({"See Fig. 3 for details.", "Also see Fig. 4b."});
        QTest::newRow("approx.") << s("It weighs approx. 3 kg. Nice.") << list({"It weighs approx. 3 kg.", "Nice."});
        QTest::newRow("No. before number") << s("No. 5 won the prize. No. Nothing else matters.")
                                           << list({"No. 5 won the prize.", "No.", "Nothing else matters."});
        QTest::newRow("pp. before number") << s("Read pp. 12 to 14. Then rest.")
                                           << list({"Read pp. 12 to 14.", "Then rest."});

        // Abbreviations that may end a sentence: the next word decides.
        QTest::newRow("Inc. mid-sentence") << s("Acme Inc. Europe opened an office. It sold well.")
                                           << list({"Acme Inc. Europe opened an office.", "It sold well."});
        QTest::newRow("Inc. at end") << s("He works at Apple Inc. The company grew.")
                                     << list({"He works at Apple Inc.", "The company grew."});
        QTest::newRow("etc. at end") << s("We bought pens, paper, etc. Then we left.")
                                     << list({"We bought pens, paper, etc.", "Then we left."});
        QTest::newRow("etc. lower") << s("We bought pens, paper, etc. and more.")
                                    << list({"We bought pens, paper, etc. and more."});
        QTest::newRow("Ltd. name") << s("Acme Ltd. Shanghai opened in May. It grew.")
                                   << list({"Acme Ltd. Shanghai opened in May.", "It grew."});
        QTest::newRow("Jr.") << s("Martin Luther King Jr. Day is a holiday. Schools close.")
                             << list({"Martin Luther King Jr. Day is a holiday.", "Schools close."});
        QTest::newRow("U.S. Army") << s("The U.S. Army arrived. Everyone cheered.")
                                   << list({"The U.S. Army arrived.", "Everyone cheered."});
        QTest::newRow("U.S. at end") << s("He moved to the U.S. In 2010 he returned.")
                                     << list({"He moved to the U.S.", "In 2010 he returned."});
        QTest::newRow("a.m. p.m.") << s("Open from 9 a.m. to 5 p.m. Please call ahead.")
                                   << list({"Open from 9 a.m. to 5 p.m.", "Please call ahead."});
        QTest::newRow("Ph.D. title") << s("A Ph.D. Candidate spoke first. It went well.")
                                     << list({"A Ph.D. Candidate spoke first.", "It went well."});

        // Initials.
        QTest::newRow("J. R. R. Tolkien") << s("J. R. R. Tolkien wrote books. He died in 1973.")
                                          << list({"J. R. R. Tolkien wrote books.", "He died in 1973."});
        QTest::newRow("middle initial") << s("George W. Bush spoke. It was short.")
                                        << list({"George W. Bush spoke.", "It was short."});
        QTest::newRow("pronoun I is no initial") << s("So did I. Bob came later.")
                                                 << list({"So did I.", "Bob came later."});
        QTest::newRow("letter then opener") << s("They chose plan B. Then they left.")
                                            << list({"They chose plan B.", "Then they left."});

        // Numbers.
        QTest::newRow("decimals") << s("Pi is about 3.14 and e is 2.718. Both are irrational.")
                                  << list({"Pi is about 3.14 and e is 2.718.", "Both are irrational."});
        QTest::newRow("version") << s("Update to v2.10.34 now. Version 1.2.3 was old. Next comes 1.3.")
                                 << list({"Update to v2.10.34 now.", "Version 1.2.3 was old.", "Next comes 1.3."});
        QTest::newRow("year at end") << s("It opened in 2010. Crowds came.")
                                     << list({"It opened in 2010.", "Crowds came."});
        QTest::newRow("enumerators") << s("1. Introduction to the topic. 2. Methods used.")
                                     << list({"1. Introduction to the topic.", "2. Methods used."});

        // Ellipses.
        QTest::newRow("ellipsis lower") << s("Wait... what happened here? Nobody knows.")
                                        << list({"Wait... what happened here?", "Nobody knows."});
        QTest::newRow("ellipsis upper") << s("Wait... What now? Go.") << list({"Wait... What now?", "Go."});
        QTest::newRow("unicode ellipsis") << s("He paused\u2026 Then smiled. Good.")
                                          << list({"He paused\u2026 Then smiled.", "Good."});

        // Quotes and brackets stay with their sentence.
        QTest::newRow("closing quote") << s("He said \"Stop.\" Then he left.")
                                       << list({"He said \"Stop.\"", "Then he left."});
        QTest::newRow("quoted question inside")
            << s("She asked \"Why?\" and walked away. Later she returned.")
            << list({"She asked \"Why?\" and walked away.", "Later she returned."});
        QTest::newRow("exclamation inside name") << s("Yahoo! is a company. Jeopardy! aired. Wow! It works.")
                                                 << list({"Yahoo! is a company.", "Jeopardy! aired.", "Wow!",
                                                          "It works."});
        QTest::newRow("curly quotes") << s("\u201CGo home.\u201D She did. \u2018Fine!\u2019 he said.")
                                      << list({"\u201CGo home.\u201D", "She did.", "\u2018Fine!\u2019 he said."});
        QTest::newRow("parenthesis") << s("(This is an aside.) Then more follows.")
                                     << list({"(This is an aside.)", "Then more follows."});
        QTest::newRow("abbrev inside parens") << s("Some tools (e.g. Blender) are free. Use them.")
                                              << list({"Some tools (e.g. Blender) are free.", "Use them."});

        // URLs, e-mails, file names.
        QTest::newRow("www mid") << s("Visit www.gimp.org for downloads. It is free.")
                                 << list({"Visit www.gimp.org for downloads.", "It is free."});
        QTest::newRow("www at end") << s("Visit www.gimp.org. Then rest.")
                                    << list({"Visit www.gimp.org.", "Then rest."});
        QTest::newRow("url with ? and !")
            << s("See https://example.com/search?q=Test!Now for more. Then stop.")
            << list({"See https://example.com/search?q=Test!Now for more.", "Then stop."});
        QTest::newRow("url at end with ?") << s("Is it at http://example.com/a?b=C? Yes.")
                                           << list({"Is it at http://example.com/a?b=C?", "Yes."});
        QTest::newRow("several urls") << s("See http://a.com/x?y=Z! and http://b.org/p?q=R. Then www.c.net/d?e=F!G is next. Done.")
                                      << list({"See http://a.com/x?y=Z! and http://b.org/p?q=R.",
                                               "Then www.c.net/d?e=F!G is next.", "Done."});
        QTest::newRow("email") << s("Write to John.Smith@Example.COM today. Thanks.")
                               << list({"Write to John.Smith@Example.COM today.", "Thanks."});
        QTest::newRow("file names") << s("Open image.png and README.md first. Then run setup.py.")
                                    << list({"Open image.png and README.md first.", "Then run setup.py."});
        QTest::newRow("capitalised file name") << s("Save it as Report.Final.PDF now. Done.")
                                               << list({"Save it as Report.Final.PDF now.", "Done."});

        // Whitespace normalisation.
        QTest::newRow("newlines and runs") << s("First line\nsecond line.\n\n  Next   one.\tLast.\r\n")
                                           << list({"First line second line.", "Next one.", "Last."});
        QTest::newRow("unicode spaces") << s("Hello\u00A0world.\u3000Bye\u2028now.\u200B End.")
                                        << list({"Hello world.", "Bye now.", "End."});

        // Non-ASCII text.
        QTest::newRow("german") << s("Das ist gut. Wir gehen heim.") << list({"Das ist gut.", "Wir gehen heim."});
        QTest::newRow("french") << s("\u00C7a va? Tr\u00E8s bien! Merci.")
                                << list({"\u00C7a va?", "Tr\u00E8s bien!", "Merci."});
        QTest::newRow("russian") << s("Привет. Как дела?") << list({"Привет.", "Как дела?"});
        QTest::newRow("chinese") << s("我很好。你呢？好的！") << list({"我很好。", "你呢？", "好的！"});
        QTest::newRow("emoji kept") << s("Great day 😀. See you 👋!") << list({"Great day 😀.", "See you 👋!"});
    }
    void split()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, expected);
        SentenceSplitter splitter;
        const QStringList got = splitter.split(text);
        QCOMPARE(got, expected);
        // Nothing is lost or invented: the pieces rebuild the normalised text
        // (up to the spaces between them; Chinese has none).
        QCOMPARE(withoutSpaces(got.join(QString())), withoutSpaces(rs::normalizeWhitespace(text)));
        // The iterator holds no state across calls.
        QCOMPARE(splitter.split(text), expected);
    }

    void longTextWithoutPunctuationIsOneSentence()
    {
        QStringList words;
        for (int i = 0; i < 20000; ++i)
            words.append(QStringLiteral("word%1").arg(i % 97));
        const QString text = words.join(u' ');
        SentenceSplitter splitter;
        const QStringList got = splitter.split(text);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first(), text);
    }

    void manySentencesInOneBlock()
    {
        QString text;
        for (int i = 0; i < 500; ++i)
            text += QStringLiteral("Sentence number %1 is here. ").arg(i);
        SentenceSplitter splitter;
        const QStringList got = splitter.split(text);
        QCOMPARE(got.size(), 500);
        QCOMPARE(got.at(0), QStringLiteral("Sentence number 0 is here."));
        QCOMPARE(got.at(499), QStringLiteral("Sentence number 499 is here."));
    }

    void malformedInputDoesNotCrash_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("lone high surrogate") << (QStringLiteral("Broken ") + QChar(0xD800) + QStringLiteral(" text. Next."));
        QTest::newRow("lone low surrogate") << (QChar(0xDC00) + QStringLiteral(". A. B."));
        QTest::newRow("nul and controls") << (QStringLiteral("A") + QChar(0) + QStringLiteral("b. \x01\x02 C."));
        QTest::newRow("only punctuation") << QStringLiteral("...!!!??? ... . !");
        QTest::newRow("only closers") << QStringLiteral(")\"] ) . \"");
        QTest::newRow("dots and spaces") << QStringLiteral(". . . . .");
        QTest::newRow("unterminated url") << QStringLiteral("http:// www. @ @@. mailto: x.");
    }
    void malformedInputDoesNotCrash()
    {
        QFETCH(QString, text);
        SentenceSplitter splitter;
        const QStringList got = splitter.split(text);
        QVERIFY(!got.isEmpty());
        for (const QString &piece : got) {
            QVERIFY(!piece.isEmpty());
            QCOMPARE(piece, piece.trimmed());
        }
        QCOMPARE(withoutSpaces(got.join(QString())), withoutSpaces(rs::normalizeWhitespace(text)));
    }

    void normalizesWhitespace_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("trim") << s("  a b  ") << s("a b");
        QTest::newRow("tabs newlines") << s("a\t\tb\r\n\nc") << s("a b c");
        QTest::newRow("nbsp ideographic narrow") << s("a\u00A0b\u3000c\u202Fd\u2009e") << s("a b c d e");
        QTest::newRow("line and paragraph separators") << s("a\u2028b\u2029c\u0085d") << s("a b c d");
        QTest::newRow("zero width space") << s("a\u200Bb") << s("a b");
        QTest::newRow("bom dropped") << s("\uFEFFab\uFEFFc") << s("abc");
        QTest::newRow("zwj kept") << s("👨\u200D👩") << s("👨\u200D👩");
        QTest::newRow("only spaces") << s("\u00A0\n \t") << QString();
    }
    void normalizesWhitespace()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(rs::normalizeWhitespace(text), expected);
    }
};

QTEST_GUILESS_MAIN(TestSentenceSplitter)
#include "test_sentencesplitter.moc"
