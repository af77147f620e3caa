#include "core/ingest/htmlreader.h"
#include "core/ingest/detail/liftedtext.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <sys/types.h>

using namespace rs;

namespace {

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

// "kind|text" per block, in order: one readable line per block in failures.
QStringList describeBlocks(const Document &doc)
{
    QStringList out;
    for (const TextBlock &block : doc.blocks)
        out.append(blockKindName(block.kind) + u'|' + block.text);
    return out;
}

QByteArray page(const QByteArray &body)
{
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>T</title></head><body>" + body
        + "</body></html>";
}

const ImageRef *imageBySrc(const Document &doc, const QString &src)
{
    for (const ImageRef &image : doc.images)
        if (image.src == src)
            return &image;
    return nullptr;
}

} // namespace

class TestHtmlReader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_root; // the corpus root, inside m_tmp; m_tmp/outside is not in it

    // Writes `bytes` as `relative` under the root and reads it back.
    Document readBack(const QString &relative, const QByteArray &bytes)
    {
        writeFile(m_root + u'/' + relative, bytes);
        HtmlReader reader(m_root);
        Result<Document> doc = reader.readPage(relative);
        if (!doc.ok()) {
            QTest::qFail(qPrintable(doc.error().toString()), __FILE__, __LINE__);
            return {};
        }
        return std::move(doc).value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_root = m_tmp.filePath(QStringLiteral("corpus"));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/images")));
        QVERIFY(QDir().mkpath(m_tmp.filePath(QStringLiteral("outside"))));
        writeFile(m_root + QStringLiteral("/images/ok.png"), "png");
        writeFile(m_root + QStringLiteral("/images/a b.png"), "png");
        writeFile(m_root + QString::fromUtf8("/images/caf\xc3\xa9.png"), "png");
        writeFile(m_tmp.filePath(QStringLiteral("outside/secret.png")), "secret");
        // A FIFO outside the root: opening it for reading would block the
        // test, so a refusal that "peeks" at the target cannot pass quietly.
        QCOMPARE(::mkfifo(QFile::encodeName(m_tmp.filePath(QStringLiteral("outside/fifo.png"))).constData(),
                          0600),
                 0);
        QVERIFY(QFile::link(m_tmp.filePath(QStringLiteral("outside/fifo.png")),
                            m_root + QStringLiteral("/images/link-out.png")));
        QVERIFY(QFile::link(m_tmp.filePath(QStringLiteral("outside")), m_root + QStringLiteral("/linkdir")));
        QVERIFY(QFile::link(m_root + QStringLiteral("/images/ok.png"),
                            m_root + QStringLiteral("/images/link-in.png")));
        QVERIFY(QFile::link(QStringLiteral("/nonexistent-realsyn-outside/x.png"),
                            m_root + QStringLiteral("/images/dangling-out.png")));
    }

    // ---- text blocks -----------------------------------------------------------

    void blocks_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("inline elements join")
            << QByteArray("<p>Use the <strong>Crop</strong> tool: press <kbd>Shift</kbd>+<kbd>C</kbd> "
                          "or see <a href='x.html'><em>the</em> manual</a>, <code>gimp-crop</code>.</p>")
            << QStringList{QStringLiteral("body|Use the Crop tool: press Shift+C or see the manual, gimp-crop.")};
        QTest::newRow("adjacent spans do not gain spaces")
            << QByteArray("<p><span>foo</span><span>bar</span></p>")
            << QStringList{QStringLiteral("body|foobar")};
        QTest::newRow("block boundaries never merge")
            << QByteArray("<div>before<p>one</p>between<p>two</p>after</div><p>three</p>")
            << QStringList{QStringLiteral("body|before"), QStringLiteral("body|one"),
                           QStringLiteral("body|between"), QStringLiteral("body|two"),
                           QStringLiteral("body|after"), QStringLiteral("body|three")};
        QTest::newRow("whitespace normalised, empty blocks dropped")
            << QByteArray("<p>\n   lots   of\t\tspace \r\n here  </p><p>   </p><div>\n</div><p>&nbsp;</p>")
            << QStringList{QStringLiteral("body|lots of space here")};
        // (Gumbo itself turns C0 and C1 control characters into U+FFFD.)
        QTest::newRow("Unicode white space")
            << QByteArray("<p> \t a\r\n\fb \xc2\xa0\xc2\xa0" "c\xe2\x80\x83" "d\xe3\x80\x80" "e\xe2\x80\xa8 </p>"
                          "<p>\xc3\xa9t\xc3\xa9  caf\xc3\xa9<br> \xf0\x9f\x98\x80 end\xe2\x80\xa8</p><p>\xc2\xa0 \xe2\x80\x83</p>")
            << QStringList{QStringLiteral("body|a b c d e"),
                           QString::fromUtf8("body|\xc3\xa9t\xc3\xa9 caf\xc3\xa9 \xf0\x9f\x98\x80 end")};
        QTest::newRow("br is a space, not a new block")
            << QByteArray("<p>line one<br>line two<br/></p>")
            << QStringList{QStringLiteral("body|line one line two")};
        QTest::newRow("headings lists tables")
            << QByteArray("<h1>Title</h1><h3>Sub <em>part</em></h3><ul><li>first</li><li><p>second in p</p></li></ul>"
                          "<dl><dt>term</dt><dd>definition</dd></dl>"
                          "<table><tr><th>head</th><td>cell <b>bold</b></td></tr></table><blockquote>quoted</blockquote>")
            << QStringList{QStringLiteral("heading|Title"),       QStringLiteral("heading|Sub part"),
                           QStringLiteral("list_item|first"),     QStringLiteral("list_item|second in p"),
                           QStringLiteral("list_item|term"),      QStringLiteral("list_item|definition"),
                           QStringLiteral("table_cell|head"),     QStringLiteral("table_cell|cell bold"),
                           QStringLiteral("body|quoted")};
        QTest::newRow("script style noscript template hidden never text")
            << QByteArray("<script>var x = 'not text';</script><style>p { color: red }</style>"
                          "<p>visible<script>alert(1)</script> text</p><noscript>enable js</noscript>"
                          "<template><p>inert</p></template><p hidden>hidden para</p>"
                          "<textarea>typed</textarea><svg><text>drawn</text><title>svg title</title></svg>")
            << QStringList{QStringLiteral("body|visible text")};
        QTest::newRow("nav elements and classes")
            << QByteArray("<div class=\"navheader\"><table><tr><th>4.4. Crop</th><td><a href=p.html>Prev</a></td></tr></table></div>"
                          "<nav><ul><li>Home</li></ul></nav><header>Site name</header>"
                          "<p>Body <span class=\"breadcrumb\">Home &gt; Tools</span> text</p>"
                          "<div class=\"Navigation menu-x\">menu bar</div><div role=navigation>roles</div>"
                          "<article><header>Article head</header><p>story</p><footer>by me</footer></article>"
                          "<div class=\"navfooter\"><p>Next page</p></div><footer>copyright</footer>")
            << QStringList{QStringLiteral("nav|4.4. Crop"),    QStringLiteral("nav|Prev"),
                           QStringLiteral("nav|Home"),         QStringLiteral("nav|Site name"),
                           QStringLiteral("body|Body"),        QStringLiteral("nav|Home > Tools"),
                           QStringLiteral("body|text"),        QStringLiteral("nav|menu bar"),
                           QStringLiteral("nav|roles"),        QStringLiteral("body|Article head"),
                           QStringLiteral("body|story"),       QStringLiteral("body|by me"),
                           QStringLiteral("nav|Next page"),    QStringLiteral("nav|copyright")};
        QTest::newRow("code blocks")
            << QByteArray("<p>Run this:</p><pre class=\"programlisting\">(define (f x)\n   (* x 2))</pre>"
                          "<div class=\"screen\">$ gimp --version</div><pre>plain pre</pre>"
                          "<div class=\"programlisting\"><p>para in listing</p></div>")
            << QStringList{QStringLiteral("body|Run this:"), QStringLiteral("code|(define (f x) (* x 2))"),
                           QStringLiteral("code|$ gimp --version"), QStringLiteral("code|plain pre"),
                           QStringLiteral("code|para in listing")};
        QTest::newRow("captions")
            << QByteArray("<div class=\"figure\"><p class=\"title\"><strong>Figure 1.2. A tool</strong></p>"
                          "<div class=\"figure-contents\"><img src=\"images/ok.png\"></div></div>"
                          "<figure><img src=\"images/ok.png\"><figcaption>HTML5 <em>caption</em></figcaption></figure>"
                          "<table><caption>Table caption</caption><tr><td>x</td></tr></table>"
                          "<p class=\"title\">title outside a figure</p>")
            << QStringList{QStringLiteral("caption|Figure 1.2. A tool"), QStringLiteral("caption|HTML5 caption"),
                           QStringLiteral("caption|Table caption"), QStringLiteral("table_cell|x"),
                           QStringLiteral("body|title outside a figure")};
    }

    void blocks()
    {
        QFETCH(QByteArray, body);
        QFETCH(QStringList, expected);
        const Document doc = readBack(QStringLiteral("blocks.html"), page(body));
        QCOMPARE(describeBlocks(doc), expected);
        QVERIFY2(doc.warnings.isEmpty(), qPrintable(doc.warnings.join(u'\n')));
    }

    void documentFields()
    {
        const Document doc = readBack(QStringLiteral("sub/fields.htm"),
                                      "<html><head><title>  The   <b>page</b> title </title>"
                                      "<script>no</script></head><body><p>x</p></body></html>");
        QCOMPARE(doc.key, QStringLiteral("html:sub/fields.htm"));
        QCOMPARE(doc.sourcePath, m_root + QStringLiteral("/sub/fields.htm"));
        QCOMPARE(doc.title, QStringLiteral("The <b>page</b> title")); // <title> is raw text in HTML
        QCOMPARE(doc.encoding, QStringLiteral("UTF-8"));
        QCOMPARE(describeBlocks(doc), QStringList{QStringLiteral("body|x")}); // title is not a block
    }

    void positionsAreSharedAndOrdered()
    {
        const Document doc = readBack(
            QStringLiteral("positions.html"),
            page("<h2>Head</h2><p>text before <img src=\"images/ok.png\" alt=\"inline\"> and after</p>"
                 "<img src=\"images/a%20b.png\" alt=\"second\"><p>last</p>"));
        QCOMPARE(describeBlocks(doc),
                 (QStringList{QStringLiteral("heading|Head"), QStringLiteral("body|text before and after"),
                              QStringLiteral("body|last")}));
        QCOMPARE(doc.images.size(), 2);
        QCOMPARE(doc.blocks[0].position, 0);
        QCOMPARE(doc.blocks[1].position, 1); // the paragraph starts before its inline image
        QCOMPARE(doc.images[0].position, 2);
        QCOMPARE(doc.images[1].position, 3);
        QCOMPARE(doc.blocks[2].position, 4);
    }

    // ---- images ----------------------------------------------------------------

    void figureCaptionsAttachToTheirImages()
    {
        const Document doc = readBack(
            QStringLiteral("figures.html"),
            page("<p>intro <img src=\"images/ok.png?loose\" alt=\"Loose\" title=\"  tip  text \"></p>"
                 "<div class=\"figure\"><a id=\"x\"></a><p class=\"title\"><strong>Figure 14.127. Crop tool</strong></p>"
                 "<div class=\"figure-contents\"><div class=\"mediaobject\">"
                 "<img src=\"images/ok.png?crop\" alt=\"Crop tool\"></div></div></div>"
                 "<br class=\"figure-break\">"
                 "<div class=\"figure\"><p class=\"title\"><strong>Figure 2. Views</strong></p>"
                 "<div class=\"figure-contents\">"
                 "<div class=\"mediaobject\"><img src=\"images/ok.png?grid\"><div class=\"caption\"><p>View as Grid</p></div></div>"
                 "<div class=\"mediaobject\"><img src=\"images/ok.png?list\"><div class=\"caption\"><p>View as List</p></div></div>"
                 "<div class=\"mediaobject\"><img src=\"images/ok.png?plain\"></div>"
                 "</div></div>"
                 "<figure><img src=\"images/ok.png?html5\" alt=\"five\"><figcaption>The <em>fifth</em> one</figcaption></figure>"
                 "<div class=\"informalfigure\"><div class=\"mediaobject\"><img src=\"images/ok.png?informal\"></div></div>"
                 "<p>after <img src=\"images/ok.png?after\"></p>"
                 "<div class=\"mediaobject\"><img src=\"images/ok.png?media\"><div class=\"caption\">"
                 "<p>Media caption</p></div></div>"));
        QCOMPARE(doc.images.size(), 9);
        const auto check = [&](const char *src, const char *caption, const char *alt) {
            const ImageRef *image = imageBySrc(doc, QString::fromLatin1(src));
            QVERIFY2(image, src);
            QCOMPARE(image->caption, QString::fromUtf8(caption));
            QCOMPARE(image->alt, QString::fromLatin1(alt));
            QCOMPARE(image->localPath, QFileInfo(m_root + QStringLiteral("/images/ok.png")).canonicalFilePath());
        };
        check("images/ok.png?loose", "", "Loose");
        check("images/ok.png?crop", "Figure 14.127. Crop tool", "Crop tool");
        // A media object's own caption follows the figure title.
        check("images/ok.png?grid", "Figure 2. Views \xe2\x80\x94 View as Grid", "");
        check("images/ok.png?list", "Figure 2. Views \xe2\x80\x94 View as List", "");
        check("images/ok.png?plain", "Figure 2. Views", "");
        check("images/ok.png?html5", "The fifth one", "five"); // figcaption after the image
        check("images/ok.png?informal", "", "");
        check("images/ok.png?after", "", "");
        check("images/ok.png?media", "Media caption", "");
        QCOMPARE(doc.images[0].title, QStringLiteral("tip text"));
        QCOMPARE(doc.images[1].title, QString());
    }

    void objectImages()
    {
        const Document doc = readBack(
            QStringLiteral("object.html"),
            page("<object data=\"images/ok.png\" type=\"image/png\">fallback text</object>"
                 "<object data=\"movie.swf\" type=\"application/x-shockwave-flash\"><p>no flash</p></object>"));
        QCOMPARE(doc.images.size(), 1);
        QCOMPARE(doc.images[0].src, QStringLiteral("images/ok.png"));
        QVERIFY(!doc.images[0].localPath.isEmpty());
        QCOMPARE(describeBlocks(doc), QStringList{QStringLiteral("body|no flash")});
    }

    void imageResolution_data()
    {
        QTest::addColumn<QString>("src"); // {root} and {tmp} are replaced
        QTest::addColumn<QString>("refusal");
        QTest::addColumn<QString>("localPath"); // relative to the root; empty when refused

        const QString none;
        QTest::newRow("relative") << "../images/ok.png" << none << "images/ok.png";
        QTest::newRow("query and fragment") << "../images/ok.png?v=2#top" << none << "images/ok.png";
        QTest::newRow("percent-encoded space") << "../images/a%20b.png" << none << "images/a b.png";
        QTest::newRow("percent-encoded utf-8") << "../images/caf%C3%A9.png" << none << QString::fromUtf8("images/caf\xc3\xa9.png");
        QTest::newRow("raw utf-8 name") << QString::fromUtf8("../images/caf\xc3\xa9.png") << none
                                        << QString::fromUtf8("images/caf\xc3\xa9.png");
        QTest::newRow("backslashes") << "..\\images\\ok.png" << none << "images/ok.png";
        QTest::newRow("padded") << "  ../images/ok.png \n" << none << "images/ok.png";
        QTest::newRow("absolute inside") << "{root}/images/ok.png" << none << "images/ok.png";
        QTest::newRow("file url inside") << "file://{root}/images/a%20b.png" << none << "images/a b.png";
        QTest::newRow("symlink inside") << "../images/link-in.png" << none << "images/ok.png";
        QTest::newRow("http") << "http://example.com/x.png" << "not_local" << none;
        QTest::newRow("https") << "HTTPS://example.com/x.png" << "not_local" << none;
        QTest::newRow("ftp") << "ftp://example.com/x.png" << "not_local" << none;
        QTest::newRow("protocol-relative") << "//cdn.example.com/x.png" << "not_local" << none;
        QTest::newRow("data") << "data:image/png;base64,iVBORw0KGgo=" << "not_local" << none;
        QTest::newRow("file url other host") << "file://server/share/x.png" << "not_local" << none;
        QTest::newRow("dotdot escape") << "../../../../../../../../etc/passwd" << "outside_corpus" << none;
        QTest::newRow("dotdot to sibling") << "../../outside/secret.png" << "outside_corpus" << none;
        QTest::newRow("encoded dotdot") << "..%2F..%2Foutside%2Fsecret.png" << "outside_corpus" << none;
        QTest::newRow("absolute outside") << "/etc/passwd" << "outside_corpus" << none;
        QTest::newRow("file url outside") << "file:///etc/passwd" << "outside_corpus" << none;
        QTest::newRow("symlink to outside fifo") << "../images/link-out.png" << "outside_corpus" << none;
        QTest::newRow("symlinked dir outside") << "../linkdir/secret.png" << "outside_corpus" << none;
        QTest::newRow("dangling link outside") << "../images/dangling-out.png" << "outside_corpus" << none;
        QTest::newRow("missing") << "../images/nope.png" << "missing_file" << none;
        QTest::newRow("empty src") << "" << "missing_file" << none;
        QTest::newRow("fragment only") << "#here" << "missing_file" << none;
        QTest::newRow("directory") << "../images/" << "missing_file" << none;
        QTest::newRow("encoded nul") << "../images/ok.png%00.jpg" << "missing_file" << none;
    }

    void imageResolution()
    {
        QFETCH(QString, src);
        QFETCH(QString, refusal);
        QFETCH(QString, localPath);
        src.replace(QLatin1String("{root}"), m_root).replace(QLatin1String("{tmp}"), m_tmp.path());
        QString attr = src.toHtmlEscaped();
        const Document doc = readBack(QStringLiteral("sub/img.html"),
                                      page("<p><img src=\"" + attr.toUtf8() + "\" alt=\"a\"></p>"));
        QCOMPARE(doc.images.size(), 1);
        const ImageRef &image = doc.images.first();
        QCOMPARE(image.src, src);
        QCOMPARE(image.refusal, refusal);
        const QString expectedPath
            = localPath.isEmpty() ? QString() : QFileInfo(m_root + u'/' + localPath).canonicalFilePath();
        QCOMPARE(image.localPath, expectedPath);
    }

    // ---- encodings -------------------------------------------------------------

    void encodings_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("encoding");
        QTest::addColumn<QString>("text");    // the first block
        QTest::addColumn<QString>("warning"); // a substring of some warning; empty: no warnings

        const QString cafe = QString::fromUtf8("caf\xc3\xa9");
        QTest::newRow("utf-8 declared") << page("<p>caf\xc3\xa9</p>") << "UTF-8" << cafe << QString();
        QTest::newRow("utf-8 undeclared") << QByteArray("<p>caf\xc3\xa9</p>") << "UTF-8" << cafe << QString();
        QTest::newRow("utf-8 bom") << QByteArray("\xef\xbb\xbf<p>caf\xc3\xa9</p>") << "UTF-8" << cafe << QString();
        QTest::newRow("latin-1 meta charset")
            << QByteArray("<html><head><meta charset=\"ISO-8859-1\"></head><body><p>caf\xe9 \x93q\x94</p>")
            << "windows-1252" << QString::fromUtf8("caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d")
            << "converted from windows-1252";
        QTest::newRow("latin-1 http-equiv")
            << QByteArray("<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
                          "</head><body><p>caf\xe9</p>")
            << "windows-1252" << cafe << "converted from windows-1252";
        QTest::newRow("latin-1 undeclared")
            << QByteArray("<html><body><p>caf\xe9</p>") << "windows-1252" << cafe << "not valid UTF-8";
        QTest::newRow("iso-8859-2 declared")
            << QByteArray("<meta content=\"text/html;charset=iso-8859-2\" http-equiv=content-type><p>\xb1\xea</p>")
            << "ISO-8859-2" << QString::fromUtf8("\xc4\x85\xc4\x99") << "converted from ISO-8859-2";
        QTest::newRow("meta in comment ignored")
            << QByteArray("<!-- <meta charset=\"koi8-r\"> --><p>caf\xc3\xa9</p>") << "UTF-8" << cafe << QString();
        QTest::newRow("meta past 4 KiB ignored")
            << (QByteArray("<p>caf\xe9</p><!--") + QByteArray(5000, 'x') + "--><meta charset=utf-8>")
            << "windows-1252" << cafe << "no charset declared";
        QTest::newRow("unknown charset, utf-8 bytes")
            << QByteArray("<meta charset=\"x-klingon\"><p>caf\xc3\xa9</p>") << "UTF-8" << cafe << "unknown charset";
        QTest::newRow("unknown charset, latin-1 bytes")
            << QByteArray("<meta charset=\"x-klingon\"><p>caf\xe9</p>") << "windows-1252" << cafe
            << "unknown charset \"x-klingon\" declared; decoded as windows-1252";
        QTest::newRow("utf-8 declared, invalid bytes")
            << QByteArray("<meta charset=utf-8><p>a\xff\xfe b</p>") << "UTF-8"
            << QString::fromUtf8("a\xef\xbf\xbd\xef\xbf\xbd b") << "2 invalid byte sequence(s)";

        const QString utf16Text = QString::fromUtf8("<html><head><title>t</title></head><body><p>\xe2\x82\xac 5 caf\xc3\xa9</p>");
        QByteArray le("\xff\xfe", 2);
        QByteArray be("\xfe\xff", 2);
        for (const QChar c : utf16Text) {
            le.append(char(c.unicode() & 0xff)).append(char(c.unicode() >> 8));
            be.append(char(c.unicode() >> 8)).append(char(c.unicode() & 0xff));
        }
        QTest::newRow("utf-16le bom") << le << "UTF-16LE" << QString::fromUtf8("\xe2\x82\xac 5 caf\xc3\xa9")
                                      << "converted from UTF-16LE";
        QTest::newRow("utf-16be bom") << be << "UTF-16BE" << QString::fromUtf8("\xe2\x82\xac 5 caf\xc3\xa9")
                                      << "converted from UTF-16BE";
    }

    void encodings()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, encoding);
        QFETCH(QString, text);
        QFETCH(QString, warning);
        const Document doc = readBack(QStringLiteral("enc.html"), bytes);
        QCOMPARE(doc.encoding, encoding);
        QVERIFY(!doc.blocks.isEmpty());
        QCOMPARE(doc.blocks.first().text, text);
        if (warning.isEmpty()) {
            QVERIFY2(doc.warnings.isEmpty(), qPrintable(doc.warnings.join(u'\n')));
        } else {
            const QString all = doc.warnings.join(u'\n');
            QVERIFY2(all.contains(warning), qPrintable(QStringLiteral("warnings: ") + all));
        }
    }

    // ---- malformed input -------------------------------------------------------

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("unclosed elements")
            << QByteArray("<html><body><p>Hello <b>world<div>Next <i>part")
            << QStringList{QStringLiteral("body|Hello world"), QStringLiteral("body|Next part")};
        QTest::newRow("truncated inside a tag")
            << QByteArray("<p>kept text</p><p>more <img src=\"images/ok.png")
            << QStringList{QStringLiteral("body|kept text"), QStringLiteral("body|more")};
        QTest::newRow("truncated inside a comment")
            << QByteArray("<p>kept</p><!-- never closed <p>lost</p>") << QStringList{QStringLiteral("body|kept")};
        QTest::newRow("stray end tags and misnesting")
            << QByteArray("</div></p><p>a <b>b <i>c</b> d</i></p></td></table>e")
            << QStringList{QStringLiteral("body|a b c d"), QStringLiteral("body|e")};
        QTest::newRow("text only") << QByteArray("just some words") << QStringList{QStringLiteral("body|just some words")};
        QTest::newRow("unterminated script swallows the rest")
            << QByteArray("<p>before</p><script>var a = '<p>x</p>';") << QStringList{QStringLiteral("body|before")};
    }

    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, expected);
        const Document doc = readBack(QStringLiteral("broken.html"), bytes);
        QCOMPARE(describeBlocks(doc), expected);
    }

    void zeroByteFileIsAnEmptyDocument()
    {
        const Document doc = readBack(QStringLiteral("empty.html"), QByteArray());
        QCOMPARE(doc.key, QStringLiteral("html:empty.html"));
        QVERIFY(doc.blocks.isEmpty());
        QVERIFY(doc.images.isEmpty());
        QVERIFY(doc.title.isEmpty());
        QVERIFY(doc.warnings.isEmpty());
    }

    void binaryGarbageDoesNotCrash_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("size");
        QTest::newRow("seed 1, 64 KiB") << 1u << 65536;
        QTest::newRow("seed 2, 1 MiB") << 2u << (1 << 20);
        QTest::newRow("seed 3, markup-heavy") << 3u << 200000;
    }

    void binaryGarbageDoesNotCrash()
    {
        QFETCH(quint32, seed);
        QFETCH(int, size);
        QRandomGenerator rng(seed);
        QByteArray bytes(size, Qt::Uninitialized);
        // Row 3 draws mostly from markup characters, to stress the tree builder.
        static const char kMarkup[] = "<>/=\"' abcdiptrlmg!-&;#\0\xff";
        for (char &b : bytes)
            b = seed == 3 ? kMarkup[rng.bounded(int(sizeof(kMarkup) - 1))] : char(rng.bounded(256));
        const Document doc = readBack(QStringLiteral("garbage.html"), bytes);
        QVERIFY(!doc.warnings.isEmpty()); // not UTF-8, control characters, ...
        for (const TextBlock &block : doc.blocks) {
            QVERIFY(!block.text.isEmpty());
            QCOMPARE(block.text, block.text.simplified());
        }
    }

    // Whitespace runs at tags are cut, and runs of plain text lifted out,
    // before parsing (htmlreader.h); the Document must be exactly what the
    // page as written gives, including attributes that hold such a run
    // verbatim, text next to character references, and text that a mode of
    // the tree builder moves or drops.
    void shortcutsChangeNothing_data()
    {
        QTest::addColumn<QByteArray>("html");
        QTest::newRow("indented manual") << page("\n  <div class=\"sect1\">\n    <p>\n      One two.\n    </p>\n"
                                                 "    <ul>\n      <li>  Item  </li>\n\t\t<li>Next</li>\n    </ul>\n  </div>\n");
        QTest::newRow("pre and listing keep their lines")
            << page("<pre>\n\n  line one\n    line two\n\n</pre><listing>\n\n\tx</listing>\n\n<textarea>\n\n a</textarea>");
        QTest::newRow("table whitespace")
            << page("<table>\n  <tr>\n    <td>  a  </td>\n\n    <td>b</td>\n  </tr>\n  x  <tr><td>c</td></tr>\n</table>");
        QTest::newRow("src with a cut run")
            << page("<p>See</p>\n\n<img src=\"images/a>  \n <b.png\" alt=\"x>   <y\"><img src=\"images/ok.png\">");
        QTest::newRow("class with a cut run")
            << page("<div class=\"x> \tnavheader\"><p>Chrome?</p></div>\n\n<div class=\"figure\"><p class=\"title\">\n\n"
                    "Figure 1</p><img src=\"images/ok.png\"></div>");
        QTest::newRow("object data with a cut run")
            << page("<object type=\"image/png\" data=\"images/ok.png  <\">  fallback  </object>\n\n<p>after</p>");
        QTest::newRow("comments and doctype")
            << QByteArray("<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN   <\">\n\n<html>\n <head>\n  <title>\n\n  The\n title  </title>\n"
                          " </head>\n <!--  a  >   <  b  -->\n <body>\n  <p>x</p>\n\n </body>\n</html>\n");
        QTest::newRow("script, style, cdata") << page("<script>\n if (a>   <b) {}\n</script>\n\n<style>\n  p>  <x {}\n</style>"
                                                      "<math><![CDATA[ a >   < b ]]></math>\n\n<p>text</p>");
        QTest::newRow("formatting elements reopened") << page("<p><b class=\"menu\">bold</p>\n\n   <p>\n\n  plain</p>");
        QTest::newRow("CRLF and form feeds") << page("<p>a</p>\r\n\r\n<p>b</p>\f\f<br>\r\r<p>c</p>");
        // Lifted text.
        QTest::newRow("character references beside runs")
            << page("<p>AT&amp;T rocks and rolls &notit; more text here &#65;BCDEFGHIJ &#x42;CDEFGHIJK &amp lots of text</p>"
                    "<p>&lt;tag&gt; in prose, and a &unknown; reference in a long sentence</p>");
        QTest::newRow("script escapes") << page("<script><!--<script>var a = 1;</script> long text here --> more</script>"
                                                "<p>after the script text</p><script>if (a<b && c>d) { long(); }</script>");
        QTest::newRow("frameset drops text") << QByteArray("<html><head><title>Frames</title></head><frameset><frame src=a.html>"
                                                           " some long text in a frameset </frameset></html>");
        QTest::newRow("table moves text") << page("<table><tr><td>cell text here</td></tr> stray text in a table "
                                                  "<tr><td>next cell text</td></tr> more stray words</table><p>after the table</p>");
        QTest::newRow("attributes with '>' and '<'")
            << page("<p title=\"a > long attribute text < here\">visible words here</p>"
                    "<img alt='quoted > alt text here' src=images/ok.png title=unquoted_long_value>"
                    "<p data-x=a>b long text>paragraph text here</p><p class=x=y>odd equals text</p>");
        QTest::newRow("comments") << page("<!-- comment > with text here --> text after comment here <!--> bare text after an empty"
                                          " comment <!---> more text after three dashes <!-- a --!> text after a bang close"
                                          "<!-- never closed comment with long text");
        QTest::newRow("title, textarea, pre") << QByteArray("<html><head><title>A long title text here</title></head><body>"
                                                            "<textarea>long textarea text here</textarea><pre>\nfirst line of code here\n"
                                                            "  second line</pre><pre>no newline long text</pre></body></html>");
        QTest::newRow("svg and cdata") << page("<svg><desc>long description text here</desc><![CDATA[ cdata text here ]]>"
                                               "<title>svg title text here</title></svg><p>after the svg element</p><![CDATA[ html cdata text ]]> tail text here");
        QTest::newRow("a placeholder's code point in the page")
            << page("<p>plane fifteen \xF3\xB0\x80\x80 private use char here</p><p>other long text here</p>");
        QTest::newRow("plaintext") << page("<p>before the plaintext element</p><plaintext>everything <b>here</b> is text &amp; more");
        QTest::newRow("select and after body")
            << QByteArray("<body><select><option>long option text here</option> stray text in select</select>"
                          "</body> text after the body end </html> text after the html end");
        QTest::newRow("controls, CR, noncharacters")
            << page("<p>line one here\r\nline two here\x01 and more text</p><p>bad \xEF\xB7\x90 noncharacter text here</p>"
                    "<p>bom \xEF\xBB\xBF inside long text</p><p>c1 \xC2\x85 control in text</p><p>invalid \xC3 utf-8 in text here</p>");
        QTest::newRow("noscript, iframe, xmp") << page("<noscript><p>noscript paragraph text</p></noscript><iframe>iframe raw text"
                                                       " here</iframe><xmp>xmp raw <b>text</b> here</xmp><p>after the raw text</p>");
        QTest::newRow("hyphens and brackets at run ends") << page("<p>--leading dashes text-- and ]]brackets]] here</p><p>-- --</p>");
        QTest::newRow("unclosed markup") << page("<p>text before an unclosed tag <a href=\"never closed long text");
        {
            // More runs than plane 15 holds placeholders for.
            QByteArray many;
            for (int i = 0; i < 70000; ++i)
                many += "<i>run" + QByteArray::number(i).rightJustified(5, '0') + "</i>";
            QTest::newRow("more runs than one plane") << page(many);
        }
    }

    void shortcutsChangeNothing()
    {
        QFETCH(QByteArray, html);
        writeFile(m_root + QStringLiteral("/fold.html"), html);
        HtmlReader fast(m_root);
        HtmlReader unlifted(m_root);
        unlifted.setLiftText(false);
        HtmlReader asWritten(m_root);
        asWritten.setFoldWhitespace(false);
        asWritten.setLiftText(false);
        const Result<Document> plain = asWritten.readPage(QStringLiteral("fold.html"));
        QVERIFY(plain.ok());
        for (const HtmlReader *reader : {&fast, &unlifted}) {
            const Result<Document> doc = reader->readPage(QStringLiteral("fold.html"));
            QVERIFY(doc.ok());
            QCOMPARE(describeBlocks(doc.value()), describeBlocks(plain.value()));
            QCOMPARE(doc.value().images.size(), plain.value().images.size());
            for (qsizetype i = 0; i < plain.value().images.size(); ++i)
                QCOMPARE(doc.value().images[i].src, plain.value().images[i].src);
            QCOMPARE(doc.value().title, plain.value().title);
            QVERIFY(doc.value() == plain.value());
        }
    }

    // The lift engages: plain runs of eight bytes or more become one
    // placeholder each, and nothing else changes.
    void runsAreLifted()
    {
        const QByteArray html("<p class=\"long class value\">First paragraph text.</p>\n<p>short</p><p>A &amp; B and more</p>");
        detail::LiftedText lifted;
        QByteArray reduced;
        QVERIFY(lifted.lift(html, reduced));
        QCOMPARE(lifted.runCount(), size_t(2)); // "First paragraph text." and " B and more" (after the reference)
        QCOMPARE(reduced, QByteArray("<p class=\"long class value\">\xF3\xB0\x80\x80</p>\n<p>short</p><p>A &amp; \xF3\xB0\x80\x81</p>"));
        QVERIFY(!lifted.lift(QByteArray("<p>short</p><p>tiny</p>"), reduced));
        QVERIFY(!lifted.lift(QByteArray("<p>a private \xF4\x80\x80\x80 use code point in text</p>"), reduced));
    }

    void foldedSrcIsReadAsWritten()
    {
        const Document doc = readBack(QStringLiteral("foldsrc.html"),
                                      page("\n\n<img src=\"images/a>  \n <b.png\">\n\n<img src=\"images/ok.png\">"));
        QCOMPARE(doc.images.size(), 2);
        QCOMPARE(doc.images[0].src, QStringLiteral("images/a>  \n <b.png"));
        QCOMPARE(doc.images[1].refusal, QString());
    }

    void deepNestingIsCut()
    {
        QByteArray bytes;
        for (int i = 0; i < 3000; ++i)
            bytes += "<div>";
        bytes += "deep text";
        const Document doc = readBack(QStringLiteral("deep.html"), "<p>top</p>" + bytes);
        QCOMPARE(describeBlocks(doc), QStringList{QStringLiteral("body|top")});
        QVERIFY(doc.warnings.join(u'\n').contains(QLatin1String("nested deeper")));
    }

    // Issue 11: one page of 200,000 nested <div>s stalled ingest for more than
    // five minutes inside the HTML parser. It is refused before parsing.
    void hostilePagesAreTooComplex_data()
    {
        QTest::addColumn<QByteArray>("page");
        QTest::addColumn<QString>("why");
        QTest::newRow("200k nested divs") << QByteArray(QByteArray("<p>top</p>") + QByteArray("<div>").repeated(200000)) << QStringLiteral("nested deeper");
        QTest::newRow("200k nested b") << QByteArray("<b>").repeated(200000) << QStringLiteral("nested deeper");
        QTest::newRow("too many elements") << QByteArray("<span>x</span>").repeated(600000) << QStringLiteral("more than");
        QTest::newRow("deep and wide") << QByteArray(QByteArray("<div>").repeated(4000) + QByteArray("<p>x").repeated(100000)) << QStringLiteral("reasonable time");
    }
    void hostilePagesAreTooComplex()
    {
        QFETCH(QByteArray, page);
        QFETCH(QString, why);
        writeFile(m_root + QStringLiteral("/hostile.html"), page);
        QElapsedTimer clock;
        clock.start();
        const Result<Document> doc = HtmlReader(m_root).readPage(QStringLiteral("hostile.html"));
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!doc.ok());
        QCOMPARE(doc.error().code, ErrorCode::Unsupported);
        QVERIFY2(doc.error().message.startsWith(QLatin1String("too_complex: ")) && doc.error().message.contains(why),
                 qPrintable(doc.error().message));
    }

    void limitsAreSettings()
    {
        writeFile(m_root + QStringLiteral("/limits.html"), QByteArray("<div><div><div><p>three deep</p></div></div></div>") + QByteArray(2000, ' '));
        QVERIFY(HtmlReader(m_root).readPage(QStringLiteral("limits.html")).ok());
        HtmlLimits shallow;
        shallow.maxDepth = 2;
        Result<Document> doc = HtmlReader(m_root, shallow).readPage(QStringLiteral("limits.html"));
        QVERIFY(!doc.ok() && doc.error().message.contains(QLatin1String("ingest.html_max_depth")));
        HtmlLimits small;
        small.maxBytes = 1024;
        doc = HtmlReader(m_root, small).readPage(QStringLiteral("limits.html"));
        QVERIFY(!doc.ok() && doc.error().message.contains(QLatin1String("ingest.html_max_bytes")));
        HtmlLimits few;
        few.maxNodes = 3;
        doc = HtmlReader(m_root, few).readPage(QStringLiteral("limits.html"));
        QVERIFY(!doc.ok() && doc.error().message.contains(QLatin1String("ingest.html_max_nodes")));

        // The time budget: a page of 200,000 paragraphs (within every
        // structural limit) takes far more than 1 ms to parse and walk.
        QByteArray many;
        for (int i = 0; i < 200000; ++i)
            many += "<p>Paragraph " + QByteArray::number(i) + " has a sentence in it.</p>";
        writeFile(m_root + QStringLiteral("/slow.html"), many);
        HtmlLimits hurried;
        hurried.maxMillis = 1;
        doc = HtmlReader(m_root, hurried).readPage(QStringLiteral("slow.html"));
        QVERIFY2(!doc.ok() && doc.error().message.startsWith(QLatin1String("too_complex: took longer than ingest.html_max_ms (1 ms)")),
                 qPrintable(doc.ok() ? QString() : doc.error().toString()));
        doc = HtmlReader(m_root).readPage(QStringLiteral("slow.html")); // the default budget is ample
        QVERIFY(doc.ok());
        QVERIFY(!doc->blocks.empty());
    }

    // ---- pages and errors ------------------------------------------------------

    void listPages()
    {
        QTemporaryDir tmp;
        const QString root = tmp.filePath(QStringLiteral("site"));
        writeFile(root + QStringLiteral("/b.html"), "<p>b</p>");
        writeFile(root + QStringLiteral("/A.HTM"), "<p>a</p>");
        writeFile(root + QStringLiteral("/sub/deeper/c.Html"), "<p>c</p>");
        writeFile(root + QStringLiteral("/notes.txt"), "not a page");
        writeFile(root + QStringLiteral("/page.html.bak"), "not a page");
        writeFile(root + QStringLiteral("/.hidden/x.html"), "<p>x</p>");
        writeFile(tmp.filePath(QStringLiteral("elsewhere/out.html")), "<p>out</p>");
        QVERIFY(QFile::link(tmp.filePath(QStringLiteral("elsewhere/out.html")), root + QStringLiteral("/linked-out.html")));
        QVERIFY(QFile::link(tmp.filePath(QStringLiteral("elsewhere")), root + QStringLiteral("/linked-dir")));
        QVERIFY(QFile::link(root + QStringLiteral("/b.html"), root + QStringLiteral("/z-same-as-b.html")));
        QVERIFY(QFile::link(root + QStringLiteral("/sub"), root + QStringLiteral("/sub/deeper/loop")));
        QVERIFY(QFile::link(tmp.filePath(QStringLiteral("gone.html")), root + QStringLiteral("/dangling.html")));

        const HtmlReader reader(root);
        QStringList refused;
        const QStringList pages = reader.listPages(&refused);
        QCOMPARE(pages, (QStringList{QStringLiteral("A.HTM"), QStringLiteral("b.html"),
                                     QStringLiteral("sub/deeper/c.Html")}));
        refused.sort();
        QCOMPARE(refused, (QStringList{QStringLiteral("dangling.html: dangling_link"),
                                       QStringLiteral("linked-dir: outside_corpus"),
                                       QStringLiteral("linked-out.html: outside_corpus")}));
        // A FIFO named like a page would block a reader forever: refused, and said so.
        QCOMPARE(::mkfifo(QFile::encodeName(root + QStringLiteral("/fifo.html")).constData(), 0600), 0);
        refused.clear();
        QCOMPARE(reader.listPages(&refused).size(), 3);
        QVERIFY2(refused.contains(QStringLiteral("fifo.html: not_regular_file")), qPrintable(refused.join(QLatin1Char(','))));
        QCOMPARE(HtmlReader(tmp.filePath(QStringLiteral("no-such-dir"))).listPages(), QStringList());
    }

    void readPageErrors()
    {
        QTemporaryDir tmp;
        const QString root = tmp.filePath(QStringLiteral("site"));
        writeFile(root + QStringLiteral("/ok.html"), "<p>ok</p>");
        writeFile(tmp.filePath(QStringLiteral("secret.html")), "<p>secret</p>");
        QVERIFY(QFile::link(tmp.filePath(QStringLiteral("secret.html")), root + QStringLiteral("/out.html")));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/folder.html")));
        const HtmlReader reader(root);

        QVERIFY(reader.readPage(QStringLiteral("ok.html")).ok());
        QVERIFY(reader.readPage(QStringLiteral("./sub/../ok.html")).ok());
        const auto code = [&](const char *relative) {
            const Result<Document> doc = reader.readPage(QString::fromLatin1(relative));
            return doc.ok() ? -1 : int(doc.error().code);
        };
        QCOMPARE(code("missing.html"), int(ErrorCode::NotFound));
        QCOMPARE(code("../secret.html"), int(ErrorCode::InvalidArgument));
        QCOMPARE(code("out.html"), int(ErrorCode::InvalidArgument));
        QCOMPARE(code(""), int(ErrorCode::InvalidArgument));
        QCOMPARE(code("folder.html"), int(ErrorCode::IoError));
        const Result<Document> absolute = reader.readPage(tmp.filePath(QStringLiteral("secret.html")));
        QVERIFY(!absolute.ok());
        QVERIFY(absolute.error().message.contains(QLatin1String("not inside the corpus root")));
    }
};

QTEST_GUILESS_MAIN(TestHtmlReader)
#include "test_htmlreader.moc"
