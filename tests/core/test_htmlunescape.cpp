// Tests for rs::htmlUnescape: every expected value below is what Python 3.11's
// html.unescape returns for the input (checked with python3 when the rows were written).

#include "core/util/htmlunescape.h"

#include <QTest>

class TestHtmlUnescape : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesPython_data();
    void matchesPython();
    void unescapesEveryEntityInTheTable();
    void noAmpersandSharesTheString();
};

void TestHtmlUnescape::matchesPython_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("named with semicolon") << QString::fromUtf16(u"&amp;") << QString::fromUtf16(u"&");
    QTest::newRow("legacy name without semicolon") << QString::fromUtf16(u"&amp") << QString::fromUtf16(u"&");
    QTest::newRow("legacy prefix of a longer word") << QString::fromUtf16(u"&ampx") << QString::fromUtf16(u"&x");
    QTest::newRow("decimal") << QString::fromUtf16(u"&#39;") << QString::fromUtf16(u"'");
    QTest::newRow("hex") << QString::fromUtf16(u"&#x27;") << QString::fromUtf16(u"'");
    QTest::newRow("hex upper X, no semicolon") << QString::fromUtf16(u"&#X41") << QString::fromUtf16(u"A");
    QTest::newRow("decimal stops at non-digit") << QString::fromUtf16(u"&#65abc") << QString::fromUtf16(u"Aabc");
    QTest::newRow("zero becomes U+FFFD") << QString::fromUtf16(u"&#0;") << QString::fromUtf16(u"\uFFFD");
    QTest::newRow("0x80 is the euro sign (windows-1252)") << QString::fromUtf16(u"&#x80;") << QString::fromUtf16(u"\u20AC");
    QTest::newRow("150 is an en dash (windows-1252)") << QString::fromUtf16(u"&#150;") << QString::fromUtf16(u"\u2013");
    QTest::newRow("hole in windows-1252 maps to itself") << QString::fromUtf16(u"&#x81;") << QString::fromUtf16(u"\u0081");
    QTest::newRow("carriage return") << QString::fromUtf16(u"&#13;") << QString::fromUtf16(u"\r");
    QTest::newRow("DEL is dropped") << QString::fromUtf16(u"&#x7f;") << QString::fromUtf16(u"");
    QTest::newRow("C0 control dropped") << QString::fromUtf16(u"&#1;") << QString::fromUtf16(u"");
    QTest::newRow("noncharacter dropped") << QString::fromUtf16(u"&#xFFFE;") << QString::fromUtf16(u"");
    QTest::newRow("surrogate becomes U+FFFD") << QString::fromUtf16(u"&#xD800;") << QString::fromUtf16(u"\uFFFD");
    QTest::newRow("above U+10FFFF") << QString::fromUtf16(u"&#1114112;") << QString::fromUtf16(u"\uFFFD");
    QTest::newRow("huge number") << QString::fromUtf16(u"&#99999999999999999999;") << QString::fromUtf16(u"\uFFFD");
    QTest::newRow("astral code point") << QString::fromUtf16(u"&#x1F600;") << QString::fromUtf16(u"\U0001F600");
    QTest::newRow("not-it: longest legacy prefix") << QString::fromUtf16(u"&notit;") << QString::fromUtf16(u"\u00ACit;");
    QTest::newRow("notin with semicolon") << QString::fromUtf16(u"&notin;") << QString::fromUtf16(u"\u2209");
    QTest::newRow("notin without semicolon") << QString::fromUtf16(u"&notin") << QString::fromUtf16(u"\u00ACin");
    QTest::newRow("lone ampersand") << QString::fromUtf16(u"a & b") << QString::fromUtf16(u"a & b");
    QTest::newRow("ampersand at end") << QString::fromUtf16(u"a&") << QString::fromUtf16(u"a&");
    QTest::newRow("&# without digits") << QString::fromUtf16(u"&#") << QString::fromUtf16(u"&#");
    QTest::newRow("&#x without digits") << QString::fromUtf16(u"&#x;") << QString::fromUtf16(u"&#x;");
    QTest::newRow("&#x bad digit") << QString::fromUtf16(u"&#xg;") << QString::fromUtf16(u"&#xg;");
    QTest::newRow("unknown name") << QString::fromUtf16(u"&unknown;") << QString::fromUtf16(u"&unknown;");
    QTest::newRow("empty name") << QString::fromUtf16(u"&;") << QString::fromUtf16(u"&;");
    QTest::newRow("decoded once only") << QString::fromUtf16(u"&amp;amp;") << QString::fromUtf16(u"&amp;");
    QTest::newRow("lt without semicolon in text") << QString::fromUtf16(u"a &lt b") << QString::fromUtf16(u"a < b");
    QTest::newRow("uppercase AMP") << QString::fromUtf16(u"&AMP;") << QString::fromUtf16(u"&");
    QTest::newRow("Amp is not a name") << QString::fromUtf16(u"&Amp;") << QString::fromUtf16(u"&Amp;");
    QTest::newRow("copy before digits") << QString::fromUtf16(u"&copy2023") << QString::fromUtf16(u"\u00A92023");
    QTest::newRow("two entities") << QString::fromUtf16(u"&eacute;t&eacute") << QString::fromUtf16(u"\u00E9t\u00E9");
    QTest::newRow("longest name") << QString::fromUtf16(u"&CounterClockwiseContourIntegral;") << QString::fromUtf16(u"\u2233");
    QTest::newRow("two code points") << QString::fromUtf16(u"&NotEqualTilde;") << QString::fromUtf16(u"\u2242\u0338");
    QTest::newRow("nbsp") << QString::fromUtf16(u"&nbsp;x") << QString::fromUtf16(u"\u00A0x");
    QTest::newRow("lt then x") << QString::fromUtf16(u"&ltx;") << QString::fromUtf16(u"<x;");
    QTest::newRow("double semicolon") << QString::fromUtf16(u"&lt;;") << QString::fromUtf16(u"<;");
    QTest::newRow("non-ascii after a name") << QString::fromUtf16(u"&amp\u00E9;") << QString::fromUtf16(u"&\u00E9;");
    QTest::newRow("legacy prefix of a long run") << QString::fromUtf16(u"&ampxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;") << QString::fromUtf16(u"&xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;");
    QTest::newRow("no ampersand") << QString::fromUtf16(u"plain text") << QString::fromUtf16(u"plain text");
    QTest::newRow("tab ends a name") << QString::fromUtf16(u"&amp\tx") << QString::fromUtf16(u"&\tx");
    QTest::newRow("mixed") << QString::fromUtf16(u"Tom &amp; Jerry&#8217;s &quot;show&quot;") << QString::fromUtf16(u"Tom & Jerry\u2019s \"show\"");
}

void TestHtmlUnescape::matchesPython()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(rs::htmlUnescape(input), expected);
}

// Spot checks across the table: names only present in the HTML5 list, and a
// legacy name used with and without its ';'.
void TestHtmlUnescape::unescapesEveryEntityInTheTable()
{
    QCOMPARE(rs::htmlUnescape(QStringLiteral("&Zopf;")), QString::fromUtf16(u"\u2124"));
    QCOMPARE(rs::htmlUnescape(QStringLiteral("&bne;")), QString::fromUtf16(u"=\u20E5"));
    QCOMPARE(rs::htmlUnescape(QStringLiteral("&yuml;&yuml")), QString::fromUtf16(u"\u00FF\u00FF"));
    QCOMPARE(rs::htmlUnescape(QStringLiteral("&Zopf")), QStringLiteral("&Zopf")); // not legacy: needs ';'
}

void TestHtmlUnescape::noAmpersandSharesTheString()
{
    const QString s = QString::fromLatin1("nothing to decode here"); // heap data, not a literal
    const QString out = rs::htmlUnescape(s);
    QCOMPARE(out, s);
    QVERIFY(out.isSharedWith(s));
}

QTEST_GUILESS_MAIN(TestHtmlUnescape)
#include "test_htmlunescape.moc"
